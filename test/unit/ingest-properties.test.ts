import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearer, ingestHarness, validEvent } from '../helpers/ingest-harness.ts';

const h = ingestHarness();
const key = h.keys.issue('H48');
const routes = ['events', 'heartbeat', 'catalog', 'dailyTotals'] as const;

const isoInWindow = fc
  .integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-11-23T03:30:00Z') })
  .map((ms) => new Date(ms + 7 * 3_600_000).toISOString().replace('Z', '+07:00'));

const validEventArb = fc
  .record({
    eventId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
    seq: fc.integer({ min: 0, max: 9999 }),
    status: fc.integer({ min: 1, max: 10 }),
    channel: fc.constantFrom(1, 2, 3),
    onlineLevel: fc.constantFrom('none', 'partial', 'full'),
    received: isoInWindow,
    supplementRequests: fc.integer({ min: 0, max: 3 }),
    amountVnd: fc.integer({ min: 0, max: 10_000_000 }),
    // A due date; "no deadline" said outright; or none at all, which only an unresolved event may send.
    due: fc.constantFrom('date', 'noDueDate', 'none'),
    // A fee; "no fee" said outright; or nothing said about payment.
    fee: fc.constantFrom('required', 'none', 'unsaid'),
  })
  .map((r) =>
    validEvent({
      eventId: r.eventId,
      dossierCode: `000.00.53.H48-261120-${String(r.seq).padStart(4, '0')}`,
      status: r.status,
      channel: r.channel,
      onlineLevel: r.onlineLevel,
      receivedAt: r.received,
      occurredAt: r.received,
      supplementRequests: r.supplementRequests,
      payment:
        r.fee === 'required'
          ? { required: true, online: r.channel === 2, amountVnd: r.amountVnd }
          : r.fee === 'none'
            ? { required: false, online: false, amountVnd: 0 }
            : undefined,
      ...(r.due === 'date' || (r.due === 'none' && r.status >= 9) ? {} : { dueAt: undefined }),
      ...(r.due === 'noDueDate' ? { noDueDate: true } : {}),
    }),
  );

/** Mutations that each make an event invalid in one known field. */
const breakers: [string, (event: Record<string, unknown>) => Record<string, unknown>][] = [
  ['status', (e) => ({ ...e, status: 0 })],
  ['channel', (e) => ({ ...e, channel: 'online' })],
  ['occurredAt', (e) => ({ ...e, occurredAt: '2026-11-23 09:00' })],
  ['dossierCode', (e) => ({ ...e, dossierCode: '' })],
  ['procedureCode', (e) => ({ ...e, procedureCode: '9.12' })],
  ['eventId', (e) => ({ ...e, eventId: 'has space' })],
  ['payment.amountVnd', (e) => ({ ...e, payment: { required: true, online: true, amountVnd: -1 } })],
  ['satisfaction', (e) => ({ ...e, satisfaction: 6 })],
];

describe('ingest properties', () => {
  it('never answers 5xx to an arbitrary body, on any route, with any content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((value) => JSON.stringify({ events: [value] })),
        ),
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', ''),
        async (route, body, contentType) => {
          const response = await h.call(route, {
            body,
            headers: { ...bearer(key), 'content-type': contentType },
          });
          expect(response.status).toBeLessThan(500);
          expect(response.status).toBeGreaterThanOrEqual(200);
          if (response.status >= 400)
            expect(response.headers['content-type']).toBe('application/problem+json');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never answers 5xx to arbitrary events inside a well-formed envelope', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.anything(), { minLength: 1, maxLength: 20 }), async (events) => {
        const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
        expect([202, 400, 403]).toContain(response.status);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every valid event', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(validEventArb, { minLength: 1, maxLength: 50 }), async (events) => {
        const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
        expect(response.status).toBe(202);
        expect(response.json()).toEqual({ accepted: events.length, rejected: [] });
      }),
      { numRuns: 100 },
    );
  });

  it('rejects every invalid event with its index and the path of the broken field, and keeps the valid ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            validEventArb,
            fc.option(fc.integer({ min: 0, max: breakers.length - 1 }), { nil: undefined }),
          ),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        async (entries) => {
          const events = entries.map(([event, broken]) => {
            const breaker = broken === undefined ? undefined : breakers[broken];
            return breaker ? breaker[1](event) : event;
          });
          const response = await h.call('events', { body: JSON.stringify({ events }), headers: bearer(key) });
          const expectedRejected = entries.flatMap(([, broken], index) =>
            broken === undefined ? [] : [[index, broken]],
          );
          const body = response.json() as {
            accepted?: number;
            rejected?: { index: number; errors: { path: string }[] }[];
            errors?: { index: number; path: string }[];
          };
          const paths = (index: number): string[] =>
            body.rejected
              ? (body.rejected.find((r) => r.index === index)?.errors.map((e) => e.path) ?? [])
              : (body.errors ?? []).filter((e) => e.index === index).map((e) => e.path);
          if (expectedRejected.length === entries.length) expect(response.status).toBe(400);
          else expect(body.accepted).toBe(entries.length - expectedRejected.length);
          for (const [index, broken] of expectedRejected as [number, number][]) {
            expect(paths(index)).toContain(`events[${index}].${breakers[broken]?.[0]}`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
