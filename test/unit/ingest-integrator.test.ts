import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CachedUnitDirectory } from '../../shared/adapters/cached-unit-directory.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { unitNamedByDossierCode } from '../../shared/domain/ingest/warnings.ts';
import type { Refusal, RefusalLogPort, UnitDirectoryPort, UnitProfile } from '../../shared/domain/ports.ts';
import { bearer, ingestHarness, validEvent } from '../helpers/ingest-harness.ts';

const H48: UnitProfile = { systems: ['tthc', 'portal'], agencies: ['000.00.10.H48', '000.20.11.H48'] };

class FixedDirectory implements UnitDirectoryPort {
  reads = 0;
  constructor(private readonly profiles: Record<string, UnitProfile>) {}
  async profile(unitCode: string): Promise<UnitProfile | undefined> {
    this.reads += 1;
    return this.profiles[unitCode];
  }
}

class MemoryRefusals implements RefusalLogPort {
  readonly calls: { unitCode: string; at: number; refusals: Refusal[] }[] = [];
  async record(unitCode: string, at: number, refusals: readonly Refusal[]): Promise<void> {
    this.calls.push({ unitCode, at, refusals: [...refusals] });
  }
  count(reason: string): number {
    return this.calls.flatMap((call) => call.refusals).filter((r) => r.reason === reason).length;
  }
}

const registered = (overrides: Record<string, unknown> = {}) =>
  validEvent({ agencyCode: '000.00.10.H48', dossierCode: '000.00.10.H48-261120-0099', ...overrides });

describe('warnings for data the evaluation will not credit', () => {
  it('answers 202 with a warning for a heartbeat from a system the registry does not list', async () => {
    const h = ingestHarness({ directory: new FixedDirectory({ H48 }) });
    const key = h.keys.issue('H48');
    const unknown = await h.call('heartbeat', {
      body: JSON.stringify({ systemId: 'tthc-core', sentAt: '2026-11-23T10:00:00+07:00' }),
      headers: bearer(key),
    });
    expect(unknown.status).toBe(202);
    expect(unknown.json()).toMatchObject({
      accepted: 1,
      warnings: [{ path: 'systemId', message: expect.stringContaining('registered: tthc, portal') }],
    });
    const known = await h.call('heartbeat', {
      body: JSON.stringify({ systemId: 'tthc', sentAt: '2026-11-23T10:00:00+07:00' }),
      headers: bearer(key),
    });
    expect(known.json()).toEqual({ accepted: 1, rejected: [] });
  });

  it('warns about an unregistered agency and a dossier code of another unit, and queues both events', async () => {
    const h = ingestHarness({ directory: new FixedDirectory({ H48 }) });
    const key = h.keys.issue('H48');
    const events = [
      registered({ eventId: 'ok' }),
      registered({ eventId: 'agency', agencyCode: '000.00.53.H48', dossierCode: '000.00.53.H48-261120-1' }),
      registered({ eventId: 'prefix', dossierCode: '000.00.10.H49-261120-0001' }),
      registered({ eventId: 'new-form', dossierCode: 'H49.123.45-260125-010099' }),
    ];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(202);
    const body = response.json() as { accepted: number; warnings: { index: number; path: string }[] };
    expect(body.accepted).toBe(4);
    expect(body.warnings.map((w) => [w.index, w.path])).toEqual([
      [1, 'events[1].agencyCode'],
      [2, 'events[2].dossierCode'],
      [3, 'events[3].dossierCode'],
    ]);
    expect(h.queue.messages('dossier-events')).toHaveLength(1);
  });

  it('names the unit of either form of dossier code, and none for a code of neither form', () => {
    const ids = loadSettings({}).identifiers;
    expect(unitNamedByDossierCode('000.00.53.H48-220921-0099', ids)).toBe('H48');
    expect(unitNamedByDossierCode('H48.123.45-260125-010099', ids)).toBe('H48');
    expect(unitNamedByDossierCode('HS-2026-000123', ids)).toBeUndefined();
    expect(unitNamedByDossierCode('H48-2026-1', ids)).toBeUndefined();
  });

  it('still accepts, without warnings, when the registry cannot be read', async () => {
    const failing: UnitDirectoryPort = { profile: async () => Promise.reject(new Error('throttled')) };
    const h = ingestHarness({ directory: failing });
    const key = h.keys.issue('H48');
    const response = await h.call('heartbeat', {
      body: JSON.stringify({ systemId: 'tthc-core', sentAt: '2026-11-23T10:00:00+07:00' }),
      headers: bearer(key),
    });
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({ accepted: 1, rejected: [] });
  });

  it('reads the registry at most once per unit within its cache age, and again one millisecond after', async () => {
    let now = 1_000_000;
    const reads: string[] = [];
    const directory = new CachedUnitDirectory(
      {
        getUnit: async (unitCode) => {
          reads.push(unitCode);
          return undefined;
        },
      },
      300,
      () => now,
    );
    await directory.profile('H48');
    now += 299_999;
    await directory.profile('H48');
    expect(reads).toEqual(['H48']);
    now += 1;
    await directory.profile('H48');
    expect(reads).toEqual(['H48', 'H48']);
  });
});

describe('error messages that say what is wrong', () => {
  const errorsOf = async (event: Record<string, unknown>) => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('events', {
      body: JSON.stringify({ events: [event] }),
      headers: bearer(key),
    });
    expect(response.status).toBe(400);
    return (response.json() as { errors: { path: string; message: string }[] }).errors;
  };

  it('says the type is wrong for a string status and a numeric time, and "is required" only when absent', async () => {
    const errors = await errorsOf(validEvent({ status: '9', occurredAt: 1_764_000_000, dueAt: undefined }));
    expect(errors).toEqual(
      expect.arrayContaining([
        { index: 0, eventId: 'evt-1', path: 'events[0].status', message: 'must be a number, not string "9"' },
        {
          index: 0,
          eventId: 'evt-1',
          path: 'events[0].occurredAt',
          message: expect.stringMatching(/^must be an ISO-8601 time .*, not number 1764000000$/),
        },
      ]),
    );
    const missing = await errorsOf(validEvent({ occurredAt: undefined }));
    expect(missing.find((e) => e.path === 'events[0].occurredAt')?.message).toBe('is required');
  });

  it('asks for a colon in an offset written +0700, and for an offset when there is none', async () => {
    const colon = await errorsOf(validEvent({ occurredAt: '2026-11-23T09:00:00+0700' }));
    expect(colon[0]?.message).toBe('must write its offset with a colon: +07:00, not +0700');
    const none = await errorsOf(validEvent({ occurredAt: '2026-11-23T09:00:00' }));
    expect(none[0]?.message).toBe('must end with an offset, such as +07:00 or Z');
  });

  it('hints at Content-Encoding when a gzip body arrives without it', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('events', {
      body: gzipSync(JSON.stringify({ events: [validEvent()] })),
      headers: bearer(key),
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('Content-Encoding: gzip') });
  });
});

describe('?dryRun=true', () => {
  const heartbeat = JSON.stringify({ systemId: 'tthc', sentAt: '2026-11-23T10:00:00+07:00' });
  const catalog = JSON.stringify({
    procedures: [{ procedureCode: '1.001234', name: 'Cấp phép', onlineLevel: 'full', feeBearing: true }],
  });
  const totals = JSON.stringify({
    days: [{ date: '2026-11-22', received: 3, receivedOnline: 1, resolved: 2, resolvedOnTime: 2 }],
  });
  const events = JSON.stringify({ events: [validEvent(), validEvent({ eventId: 'bad', status: 11 })] });

  it('answers every bearer endpoint with the real status and body plus "dryRun": true, and queues nothing', async () => {
    for (const [route, body] of [
      ['events', events],
      ['heartbeat', heartbeat],
      ['catalog', catalog],
      ['dailyTotals', totals],
    ] as const) {
      const real = ingestHarness();
      const dry = ingestHarness();
      const realAnswer = await real.call(route, { body, headers: bearer(real.keys.issue('H48')) });
      const dryAnswer = await dry.call(route, {
        body,
        headers: bearer(dry.keys.issue('H48')),
        query: { dryRun: 'true' },
      });
      expect(dryAnswer.status, route).toBe(realAnswer.status);
      const { syncId: _a, ...realBody } = realAnswer.json() as Record<string, unknown>;
      const { syncId: _b, ...dryBody } = dryAnswer.json() as Record<string, unknown>;
      expect(dryBody, route).toEqual({ ...realBody, dryRun: true });
      expect(real.queue.sent.length, route).toBeGreaterThan(0);
      expect(dry.queue.sent, route).toEqual([]);
    }
  });

  it('answers the legacy feed 200 with {"dryRun": true} and queues nothing', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('legacy', {
      body: 'codeProfile=000.00.10.H48-261123-0042&codeTTHC=1.000494&status=1&formsReception=1&level=4',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      pathParameters: { siteKey: key },
      query: { dryRun: 'true' },
    });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ dryRun: true });
    expect(h.queue.sent).toEqual([]);
  });

  it('refuses exactly as a real call would: invalid body 400, no key 401, over the rate 429', async () => {
    const h = ingestHarness({ rate: [1, 1] });
    const key = h.keys.issue('H48');
    const query = { dryRun: 'true' };
    const invalid = await h.call('events', {
      body: JSON.stringify({ events: [validEvent({ status: 11 })] }),
      headers: bearer(key),
      query,
    });
    expect(invalid.status).toBe(400);
    expect(
      (await h.call('heartbeat', { body: heartbeat, headers: { 'content-type': 'application/json' }, query }))
        .status,
    ).toBe(401);
    expect((await h.call('heartbeat', { body: heartbeat, headers: bearer(key), query })).status).toBe(429);
    expect(h.queue.sent).toEqual([]);
  });

  it('refuses a dryRun value other than true or false', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('heartbeat', {
      body: heartbeat,
      headers: bearer(key),
      query: { dryRun: 'yes' },
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ path: 'dryRun' }] });
    const real = await h.call('heartbeat', {
      body: heartbeat,
      headers: bearer(key),
      query: { dryRun: 'false' },
    });
    expect(real.json()).toEqual({ accepted: 1, rejected: [] });
  });
});

describe('the refusal log', () => {
  it('records each refused event once under the reason of its first error, and nothing when nothing is refused', async () => {
    const refusals = new MemoryRefusals();
    const h = ingestHarness({ refusals });
    const key = h.keys.issue('H48');
    await h.call('events', { body: JSON.stringify({ events: [validEvent()] }), headers: bearer(key) });
    expect(refusals.calls).toEqual([]);
    const events = [
      validEvent(),
      validEvent({ eventId: 'missing', receivedAt: undefined }),
      validEvent({ eventId: 'future', status: 4, occurredAt: '2026-11-23T10:40:00+07:00' }),
      validEvent({ eventId: 'bad', status: 11 }),
      validEvent({ eventId: 'bad-2', channel: 7 }),
    ];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(202);
    expect(refusals.calls).toHaveLength(1);
    expect(refusals.calls[0]?.unitCode).toBe('H48');
    expect(refusals.count('missing-field')).toBe(1);
    expect(refusals.count('time-in-future')).toBe(1);
    expect(refusals.count('invalid-value')).toBe(2);
    expect(refusals.calls[0]?.refusals.find((r) => r.reason === 'missing-field')).toEqual({
      reason: 'missing-field',
      path: 'events[1].receivedAt',
      message: expect.stringContaining('is required'),
      eventId: 'missing',
    });
  });

  it('records a refused request, names the legacy dossier code, and records neither 401 nor a dry run', async () => {
    const refusals = new MemoryRefusals();
    const h = ingestHarness({ refusals });
    const key = h.keys.issue('H48');
    await h.call('events', { body: '{"events": [', headers: bearer(key) });
    await h.call('events', {
      body: JSON.stringify({ events: [validEvent({ agencyCode: '000.00.10.H49' })] }),
      headers: bearer(key),
    });
    await h.call('legacy', {
      body: 'codeProfile=000.00.10.H48-261123-0042&codeTTHC=9.9&status=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      pathParameters: { siteKey: key },
    });
    await h.call('events', { body: '{"events": [', headers: bearer(`emc_AAAAAAAAAAAA_${'A'.repeat(40)}`) });
    await h.call('events', { body: '{"events": [', headers: bearer(key), query: { dryRun: 'true' } });
    const all = refusals.calls.flatMap((call) => call.refusals);
    expect(all.map((r) => r.reason)).toEqual(['invalid-body', 'other-unit', 'invalid-value']);
    expect(all[2]).toMatchObject({ codeProfile: '000.00.10.H48-261123-0042' });
    expect(all[2]?.eventId).toBeUndefined();
  });
});
