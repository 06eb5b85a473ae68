import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { QueueUnavailableError } from '../../shared/domain/errors.ts';
import { bearer, ingestHarness, validEvent } from '../helpers/ingest-harness.ts';

describe('POST /v1/dossier-events', () => {
  it('queues every valid event and answers 202 with the count', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = [validEvent(), validEvent({ eventId: 'evt-2', status: 2, dueAt: undefined })];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({ accepted: 2, rejected: [] });
    const [message] = h.queue.messages('dossier-events') as { events: { occurredAt: number }[] }[];
    expect(message?.events).toHaveLength(2);
    expect(message?.events[0]?.occurredAt).toBe(Date.parse('2026-11-23T02:00:00Z'));
  });

  it('accepts the valid events and lists the invalid ones by index, field and reason', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = [validEvent(), validEvent({ eventId: 'evt-bad', receivedAt: undefined }), { eventId: 7 }];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(202);
    const result = response.json() as {
      accepted: number;
      rejected: { index: number; errors: { path: string }[] }[];
    };
    expect(result.accepted).toBe(1);
    expect(result.rejected[0]).toMatchObject({
      index: 1,
      eventId: 'evt-bad',
      errors: [
        { path: 'events[1].receivedAt', message: expect.stringContaining('is required with status 9') },
      ],
    });
    expect(result.rejected[1]?.index).toBe(2);
    expect(result.rejected[1]?.errors.map((error) => error.path)).toEqual(
      expect.arrayContaining(['events[2].eventId', 'events[2].dossierCode', 'events[2].status']),
    );
  });

  it('answers 400 problem+json listing every error when no event is valid', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = [validEvent({ status: 11 }), validEvent({ channel: 9, occurredAt: 'yesterday' })];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    const problem = response.json() as { errors: { path: string; index: number }[] };
    expect(problem.errors.map((error) => error.path)).toEqual([
      'events[0].status',
      'events[1].channel',
      'events[1].occurredAt',
    ]);
  });

  it('rejects an event more than 5 minutes in the future, and one older than the retention window', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = [
      validEvent({ status: 4, occurredAt: '2026-11-23T10:40:00+07:00' }),
      validEvent({
        status: 4,
        occurredAt: '2024-01-01T10:00:00+07:00',
        receivedAt: '2024-01-01T09:00:00+07:00',
      }),
    ];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    const messages = (response.json() as { errors: { message: string }[] }).errors.map(
      (error) => error.message,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        'is more than 5 minutes in the future',
        'is older than the retention window and can no longer be counted',
      ]),
    );
  });

  it('drops unknown fields without failing the request', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = [validEvent({ citizenName: 'Nguyễn Văn A', extra: { nested: true } })];
    const response = await h.call('events', {
      body: JSON.stringify({ events, vendor: 'x' }),
      headers: bearer(key),
    });
    expect(response.status).toBe(202);
    expect(h.queue.sent[0]?.body).not.toContain('citizenName');
    expect(h.queue.sent[0]?.body).not.toContain('Nguyễn');
  });

  it('reduces a portal-style procedure code with the agency appended to the national code', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = [validEvent({ procedureCode: '1.000494.000.00.00.H29' })];
    await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(h.queue.messages('dossier-events')[0]).toMatchObject({ events: [{ procedureCode: '1.000494' }] });
  });

  it('refuses more than 1000 events with 400', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = Array.from({ length: 1001 }, (_, i) => validEvent({ eventId: `e${i}` }));
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [{ path: 'events', message: 'must hold at most 1000 events' }],
    });
  });

  it('accepts a gzip body', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const body = gzipSync(JSON.stringify({ events: [validEvent()] }));
    const response = await h.call('events', {
      body,
      headers: { ...bearer(key), 'content-encoding': 'gzip' },
    });
    expect(response.status).toBe(202);
  });

  it('answers 413 for a gzip bomb that would expand past 1 MiB, without expanding it', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    const response = await h.call('events', {
      body: bomb,
      headers: { ...bearer(key), 'content-encoding': 'gzip' },
    });
    expect(response.status).toBe(413);
  });

  it('answers 413 for a plain body over 1 MiB', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const body = JSON.stringify({ events: [validEvent({ padding: 'x'.repeat(1_100_000) })] });
    expect((await h.call('events', { body, headers: bearer(key) })).status).toBe(413);
  });

  it('answers 415 for a body that is not JSON by content type', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('events', {
      body: '<events/>',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/xml' },
    });
    expect(response.status).toBe(415);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('application/json') });
  });

  it('answers 400 naming the syntax error for malformed JSON', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('events', { body: '{"events": [', headers: bearer(key) });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('not valid JSON') });
  });

  it('answers 503 with Retry-After when the queue cannot take the events', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    h.queue.failWith = new QueueUnavailableError('down');
    const response = await h.call('events', {
      body: JSON.stringify({ events: [validEvent()] }),
      headers: bearer(key),
    });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
  });

  it('answers 500 with a generic text, never the internal message, for an unexpected failure', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    h.queue.failWith = new Error('secret internal detail');
    const response = await h.call('events', {
      body: JSON.stringify({ events: [validEvent()] }),
      headers: bearer(key),
    });
    expect(response.status).toBe(500);
    expect(response.text).not.toContain('secret internal detail');
  });
});

describe('POST /v1/heartbeats', () => {
  it('queues the heartbeat stamped with the server’s receive time, not the sender’s clock', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const body = JSON.stringify({
      systemId: 'tthc-core',
      sentAt: '2020-01-01T00:00:00+07:00',
      pendingDossiers: 3,
    });
    const response = await h.call('heartbeat', { body, headers: bearer(key) });
    expect(response.status).toBe(202);
    expect(h.queue.messages('heartbeats')[0]).toMatchObject({
      kind: 'heartbeat',
      unitCode: 'H48',
      systemId: 'tthc-core',
      receivedAt: Date.parse('2026-11-23T03:30:00Z'),
      pendingDossiers: 3,
    });
  });

  it('answers 400 naming the missing field', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('heartbeat', {
      body: '{"sentAt":"2026-11-23T10:00:00+07:00"}',
      headers: bearer(key),
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ path: 'systemId', message: 'is required' }] });
  });
});

describe('PUT /v1/catalog', () => {
  const procedure = (i: number): Record<string, unknown> => ({
    procedureCode: `1.${String(i).padStart(6, '0')}`,
    name: `Thủ tục cấp phép số ${i} với tên rất dài để kiểm tra việc chia nhỏ thông điệp hàng đợi`,
    onlineLevel: i % 3 === 0 ? 'full' : 'partial',
    feeBearing: i % 2 === 0,
  });

  it('queues a 5000-procedure catalogue in numbered parts under the message size limit', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const procedures = Array.from({ length: 5000 }, (_, i) => procedure(i));
    const response = await h.call('catalog', { body: JSON.stringify({ procedures }), headers: bearer(key) });
    expect(response.status).toBe(202);
    const parts = h.queue.messages('reports') as { part: number; parts: number; procedures: unknown[] }[];
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((part) => part.part)).toEqual(parts.map((_, i) => i));
    expect(parts.every((part) => part.parts === parts.length)).toBe(true);
    expect(parts.flatMap((part) => part.procedures)).toHaveLength(5000);
    for (const entry of h.queue.sent) expect(Buffer.byteLength(entry.body)).toBeLessThanOrEqual(262_144);
  });

  it('names the index of a repeated procedure code', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const body = JSON.stringify({ procedures: [procedure(1), procedure(2), procedure(1)] });
    const response = await h.call('catalog', { body, headers: bearer(key) });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [
        {
          path: 'procedures[2].procedureCode',
          message: expect.stringContaining('already listed at index 0'),
        },
      ],
    });
  });
});

describe('POST /v1/daily-totals', () => {
  it('queues consistent totals and refuses a day with more online than received', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const day = { date: '2026-11-22', received: 10, receivedOnline: 4, resolved: 8, resolvedOnTime: 7 };
    expect(
      (await h.call('dailyTotals', { body: JSON.stringify({ days: [day] }), headers: bearer(key) })).status,
    ).toBe(202);
    const bad = JSON.stringify({ days: [{ ...day, receivedOnline: 11 }] });
    const response = await h.call('dailyTotals', { body: bad, headers: bearer(key) });
    expect(response.json()).toMatchObject({ errors: [{ path: 'days[0].receivedOnline' }] });
  });
});
