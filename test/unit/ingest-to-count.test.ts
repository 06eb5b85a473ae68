import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.ts';
import { processDossierEventBatch } from '../../shared/domain/worker/dossier-batch.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import type { QueueRecord } from '../../shared/domain/worker/sqs-batch.ts';
import { bearer, type Harness, ingestHarness, validEvent } from '../helpers/ingest-harness.ts';
import { MemoryDossierStore, MemorySetAside } from '../helpers/memory-dossier-store.ts';

const options = countOptions(loadSettings({}));

interface Accepted {
  accepted: number;
  rejected: { index: number; eventId?: string; errors: { path: string; message: string }[] }[];
}

/** What the worker makes of everything ingest queued: the events it counted, set aside, or failed. */
async function countQueued(h: Harness) {
  const records: QueueRecord[] = h.queue.sent
    .filter((entry) => entry.feed === 'dossier-events')
    .map((entry, i) => ({ messageId: `m${i}`, body: entry.body, receiveCount: 1 }));
  const store = new MemoryDossierStore();
  const setAside = new MemorySetAside();
  const poison: string[] = [];
  const failures: string[] = [];
  let counted = 0;
  const response = await processDossierEventBatch(records, {
    store,
    archive: { putDossierEvents: async () => undefined },
    setAside,
    options,
    onPoison: (p) => poison.push(p.reason),
    onFailure: (id, error) => failures.push(`${id}: ${String(error)}`),
    onCounted: (summary) => {
      counted += summary.events;
    },
    clock: () => 0,
  });
  return { store, setAside, poison, failures, counted, failed: response.failed };
}

const dossier = (i: number): string => `000.00.53.H48-261120-${String(i).padStart(4, '0')}`;

function resolvedEvents(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => validEvent({ eventId: `e${i}`, dossierCode: dossier(i) }));
}

describe('a 202 is never followed by a silent loss', () => {
  it('refuses a due date before 1970 by field, and the worker counts the 999 others', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = [...resolvedEvents(999), validEvent({ eventId: 'e999', dueAt: '1969-12-31T23:59:59Z' })];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({
      accepted: 999,
      rejected: [
        {
          index: 999,
          eventId: 'e999',
          errors: [
            {
              path: 'events[999].dueAt',
              message: 'must be from 2000-01-01T00:00:00Z to 2099-12-31T23:59:59.999Z',
            },
          ],
        },
      ],
    });
    const worker = await countQueued(h);
    expect(worker.failed).toEqual([]);
    expect(worker.poison).toEqual([]);
    expect(worker.setAside.events).toEqual([]);
    expect(worker.counted).toBe(999);
    expect(worker.store.dossiers.size).toBe(999);
  });

  it('reads a .NET "no date" due date as absent: accepted before resolution, required at it', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const noDate = '0001-01-01T00:00:00+07:00';
    const events = [
      validEvent({ eventId: 'processing', status: 4, dueAt: noDate }),
      validEvent({ eventId: 'processing-7-digits', status: 4, dueAt: '0001-01-01T00:00:00.0000000+07:00' }),
      validEvent({ eventId: 'resolved', status: 9, dueAt: noDate }),
    ];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({
      accepted: 2,
      rejected: [
        {
          index: 2,
          eventId: 'resolved',
          errors: [
            {
              path: 'events[2].dueAt',
              message:
                'is required with status 9: on-time resolution is judged against it (send noDueDate: true when the procedure has no deadline)',
            },
          ],
        },
      ],
    });
    const [message] = h.queue.messages('dossier-events') as { events: Record<string, unknown>[] }[];
    expect(message?.events.map((event) => 'dueAt' in event)).toEqual([false, false]);
    expect((await countQueued(h)).counted).toBe(2);
  });

  it('accepts an explicit "no due date" at resolution, and refuses it beside a due date', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = [
      validEvent({ eventId: 'no-deadline', status: 9, dueAt: undefined, noDueDate: true }),
      validEvent({ eventId: 'both', status: 9, dueAt: '2026-11-27T17:00:00+07:00', noDueDate: true }),
      validEvent({ eventId: 'said-false', status: 10, dueAt: undefined, noDueDate: false }),
    ];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(202);
    const body = response.json() as {
      accepted: number;
      rejected: { eventId: string; errors: { path: string }[] }[];
    };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.eventId, r.errors.map((e) => e.path)])).toEqual([
      ['both', ['events[1].noDueDate']],
      ['said-false', ['events[2].dueAt']],
    ]);
    const [message] = h.queue.messages('dossier-events') as { events: Record<string, unknown>[] }[];
    expect(message?.events[0]).toMatchObject({ eventId: 'no-deadline', noDueDate: true });
    expect(message?.events[0]).not.toHaveProperty('dueAt');
  });

  it('refuses a .NET "no date" where a time is required, saying so', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const events = [validEvent({ occurredAt: '0001-01-01T00:00:00+07:00' })];
    const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [
        {
          index: 0,
          path: 'events[0].occurredAt',
          message: expect.stringContaining('means "no date", but a time is required here'),
        },
      ],
    });
  });

  it.each([
    ['1999-12-31T23:59:59.999Z', 400],
    ['2000-01-01T00:00:00.000Z', 202],
    ['2000-01-01T06:59:59+07:00', 400],
    ['2000-01-01T07:00:00+07:00', 202],
    ['2099-12-31T23:59:59.999Z', 202],
    ['2100-01-01T00:00:00.000Z', 400],
  ])('bounds the due date one step either side: %s → %i', async (dueAt, status) => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('events', {
      body: JSON.stringify({ events: [validEvent({ dueAt })] }),
      headers: bearer(key),
    });
    expect(response.status).toBe(status);
    // An accepted event is counted once; a refused one is never queued.
    expect((await countQueued(h)).counted).toBe(status === 202 ? 1 : 0);
  });

  it.each([
    ['1999-12-31T23:59:59.999Z', 400],
    ['2000-01-01T00:00:00.000Z', 202],
    ['2099-12-31T23:59:59.999Z', 202],
    ['2100-01-01T00:00:00.000Z', 400],
    ['1969-12-31T23:59:59Z', 400],
    ['0001-01-01T00:00:00+07:00', 400],
  ])('bounds a heartbeat’s sentAt one step either side: %s → %i', async (sentAt, status) => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('heartbeat', {
      body: JSON.stringify({ systemId: 'tthc-core', sentAt }),
      headers: bearer(key),
    });
    expect(response.status).toBe(status);
    const paths = status === 400 ? ['sentAt'] : [];
    const errors = (response.json() as { errors?: { path: string }[] } | undefined)?.errors ?? [];
    expect(errors.map((e) => e.path)).toEqual(paths);
  });
});

/** Times from every region that matters: inside the window, the instant bounds, placeholders, nonsense. */
const anyTime = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('2026-11-20T08:00:00+07:00', '2026-11-23T10:30:00+07:00') },
  fc.constantFrom(
    '2026-11-23T10:35:01+07:00',
    '1969-12-31T23:59:59Z',
    '1970-01-01T00:00:00Z',
    '0001-01-01T00:00:00+07:00',
    '0001-01-01T00:00:00.0000000+07:00',
    '0001-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '1999-12-31T23:59:59.999Z',
    '2000-01-01T00:00:00Z',
    '2099-12-31T23:59:59.999Z',
    '2100-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    'not a time',
  ),
  fc
    .integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) })
    .map((ms) => new Date(ms).toISOString()),
  fc.constant(undefined),
);
const anyStatus = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 10 }) }, fc.constantFrom(0, 11));

const anyEvent = fc
  .record({
    seq: fc.integer({ min: 0, max: 30 }),
    status: anyStatus,
    occurredAt: anyTime,
    receivedAt: anyTime,
    dueAt: anyTime,
    supplementRequests: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) },
      fc.constantFrom(-1, 101),
    ),
    satisfaction: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  })
  .map((r) => {
    const event = validEvent({
      eventId: `p${r.seq}-${r.status}`,
      dossierCode: dossier(r.seq),
      status: r.status,
      occurredAt: r.occurredAt,
      receivedAt: r.receivedAt,
      dueAt: r.dueAt,
      supplementRequests: r.supplementRequests,
      satisfaction: r.satisfaction,
    });
    for (const [field, value] of Object.entries(event)) if (value === undefined) delete event[field];
    return event;
  });

describe('the property behind it', () => {
  it('for any body answered 202, the worker counts every accepted event and sets none aside', async () => {
    let answered202 = 0;
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    await fc.assert(
      fc.asyncProperty(fc.array(anyEvent, { minLength: 1, maxLength: 30 }), async (events) => {
        h.queue.sent.length = 0;
        const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
        expect([202, 400]).toContain(response.status);
        if (response.status !== 202) return;
        answered202++;
        const body = response.json() as Accepted;
        const rejected = new Set(body.rejected.map((entry) => entry.index));
        const acceptedDossiers = new Set(
          events
            .filter((_, index) => !rejected.has(index))
            .map((event) => `H48#${String(event.dossierCode)}`),
        );
        const worker = await countQueued(h);
        expect(worker.failed).toEqual([]);
        expect(worker.poison).toEqual([]);
        expect(worker.failures).toEqual([]);
        expect(worker.setAside.events).toEqual([]);
        expect(worker.counted).toBe(body.accepted);
        expect(body.accepted).toBe(events.length - rejected.size);
        for (const id of acceptedDossiers)
          expect(worker.store.dossiers.has(id) || isRegisteredOnly(id, events)).toBe(true);
      }),
      { numRuns: 250 },
    );
    expect(answered202).toBeGreaterThan(100);
  }, 60_000);
});

/** A dossier whose only accepted events are "registered" (status 1, 3) has no state to store: nothing to count. */
function isRegisteredOnly(id: string, events: Record<string, unknown>[]): boolean {
  return events
    .filter((event) => `H48#${String(event.dossierCode)}` === id)
    .every((e) => e.status === 1 || e.status === 3);
}
