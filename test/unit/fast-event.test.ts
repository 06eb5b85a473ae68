import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.ts';
import { compileFastEventParser, fastTimestamp } from '../../shared/domain/ingest/fast-event.ts';
import { serializeQueuedEvent } from '../../shared/domain/ingest/serialize.ts';
import { apiSchemas, timestamp } from '../../shared/schemas/api.ts';
import { EARLIEST_INSTANT_MS, LATEST_INSTANT_MS } from '../../shared/schemas/event-fields.ts';
import { queuedEventSchema } from '../../shared/schemas/queue.ts';
import { validEvent } from '../helpers/ingest-harness.ts';

const config = loadSettings({});
const schemas = apiSchemas(config);
const fast = compileFastEventParser(config.identifiers);
const zodTimestamp = timestamp('t', '2026-01-01T00:00:00Z');

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
/** Timestamp-shaped strings with every part drawn from a range wider than valid, so edges are hit often. */
const timestampLike = fc
  .record({
    y: fc.integer({ min: 1960, max: 2401 }),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 25 }),
    mi: fc.integer({ min: 0, max: 61 }),
    s: fc.integer({ min: 0, max: 61 }),
    frac: fc.option(fc.stringMatching(/^\d{0,5}$/), { nil: undefined }),
    zone: fc.oneof(
      fc.constant('Z'),
      fc.constant(''),
      fc
        .tuple(
          fc.constantFrom('+', '-', '~'),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 61 }),
        )
        .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
    ),
  })
  .map(
    (t) =>
      `${pad(t.y, 4)}-${pad(t.mo, 2)}-${pad(t.d, 2)}T${pad(t.h, 2)}:${pad(t.mi, 2)}:${pad(t.s, 2)}${
        t.frac === undefined ? '' : `.${t.frac}`
      }${t.zone}`,
  );

const anyField = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.double(),
);
const eventLike = fc
  .record(
    {
      status: fc.oneof(fc.integer({ min: -1, max: 12 }), anyField),
      channel: fc.oneof(fc.integer({ min: 0, max: 4 }), anyField),
      onlineLevel: fc.oneof(fc.constantFrom('none', 'partial', 'full', 'FULL'), anyField),
      occurredAt: fc.oneof(timestampLike, anyField),
      receivedAt: fc.oneof(timestampLike, anyField),
      supplementRequests: fc.oneof(fc.integer({ min: -1, max: 101 }), anyField),
      payment: fc.oneof(
        fc.record({
          required: fc.boolean(),
          online: anyField,
          amountVnd: fc.oneof(fc.integer(), fc.double()),
        }),
        anyField,
      ),
      satisfaction: fc.oneof(fc.integer({ min: 0, max: 6 }), anyField),
      procedureCode: fc.constantFrom('1.001234', '1.000494.000.00.00.H29', '4.001234', '1.00123'),
      eventId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,10}$/), fc.string({ maxLength: 5 })),
    },
    { requiredKeys: [] },
  )
  .map((overrides) => {
    const event = validEvent();
    for (const [key, value] of Object.entries(overrides)) {
      if (value === undefined) delete event[key];
      else event[key] = value;
    }
    return event;
  });

/** A valid event with one field redrawn: often still valid, so acceptance is exercised on every run. */
const oneFieldChanged = fc
  .tuple(
    fc.constantFrom('occurredAt', 'receivedAt', 'dueAt'),
    timestampLike,
    fc.constantFrom('status', 'satisfaction', 'supplementRequests'),
    fc.integer({ min: 0, max: 11 }),
  )
  .map(([timeField, time, numberField, value]) => validEvent({ [timeField]: time, [numberField]: value }));

describe('the fast event parser', () => {
  it('reads timestamps exactly as the zod schema does, or defers to it', () => {
    const counts = { read: 0, deferred: 0 };
    fc.assert(
      fc.property(timestampLike, (text) => {
        const fastResult = fastTimestamp(text);
        const zodResult = zodTimestamp.safeParse(text);
        const deferred = Number.isNaN(fastResult);
        if (deferred) counts.deferred++;
        else counts.read++;
        // NaN defers to zod; any other answer must be exactly zod's.
        expect({
          deferred,
          value: deferred ? null : zodResult.success ? zodResult.data : 'rejected by zod',
        }).toEqual({
          deferred,
          value: deferred ? null : fastResult,
        });
      }),
      { numRuns: 5000 },
    );
    expect(counts.read).toBeGreaterThan(0);
    expect(counts.deferred).toBeGreaterThan(0);
  });

  it('never accepts an event the zod schema rejects, and returns exactly what zod returns', () => {
    let fastAccepted = 0;
    let fastDeferred = 0;
    fc.assert(
      fc.property(fc.oneof(eventLike, oneFieldChanged), (event) => {
        const fastResult = fast(event);
        const zodResult = schemas.dossierEvent.safeParse(event);
        if (fastResult === undefined) fastDeferred++;
        else fastAccepted++;
        // Undefined defers to zod; an accepted event must be exactly what zod returns.
        const zodAnswer = zodResult.success ? zodResult.data : 'rejected by zod';
        expect(fastResult === undefined ? undefined : zodAnswer).toEqual(fastResult);
      }),
      { numRuns: 3000 },
    );
    expect(fastAccepted).toBeGreaterThan(0);
    expect(fastDeferred).toBeGreaterThan(0);
  });

  it('takes the fast path for an ordinary valid event', () => {
    expect(fast(validEvent())).toEqual(schemas.dossierEvent.parse(validEvent()));
  });
});

const instant = fc.integer({ min: EARLIEST_INSTANT_MS, max: LATEST_INSTANT_MS });

describe('serializeQueuedEvent', () => {
  it('writes JSON that parses back to the same event, whatever the strings hold', () => {
    const queued = fc.record(
      {
        eventId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
        dossierCode: fc.string({ minLength: 1 }),
        procedureCode: fc.string({ minLength: 1 }),
        agencyCode: fc.string({ minLength: 1 }),
        status: fc.integer({ min: 1, max: 10 }),
        channel: fc.constantFrom(1 as const, 2 as const, 3 as const),
        onlineLevel: fc.constantFrom('none' as const, 'partial' as const, 'full' as const),
        occurredAt: instant,
        receivedAt: instant,
        dueAt: instant,
        supplementRequests: fc.nat({ max: 100 }),
        payment: fc.record({ required: fc.boolean(), online: fc.boolean(), amountVnd: fc.nat() }),
        digitized: fc.boolean(),
        electronicResult: fc.boolean(),
        fromNationalPortal: fc.boolean(),
        satisfaction: fc.integer({ min: 1, max: 5 }),
      },
      { requiredKeys: ['eventId', 'dossierCode', 'procedureCode', 'agencyCode', 'status', 'occurredAt'] },
    );
    fc.assert(
      fc.property(queued, (event) => {
        const parsed = JSON.parse(serializeQueuedEvent(event));
        expect(parsed).toEqual(event);
        expect(queuedEventSchema.parse(parsed)).toEqual(event);
      }),
      { numRuns: 2000 },
    );
  });
});
