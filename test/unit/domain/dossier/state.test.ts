import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import {
  contentHash,
  contributions,
  type DossierState,
  dueDate,
  isReceived,
  merge,
  supplementRequests,
} from '../../../../shared/domain/dossier/state.ts';
import type { QueuedEvent } from '../../../../shared/schemas/queue.ts';

const rules = loadSettings({}).dossier;
/** Vietnam's calendar day, written out here rather than taken from the code under test. */
const vnDay = (ms: number): string => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);

const HOUR = 3_600_000;
const T = Date.parse('2026-11-10T03:00:00Z'); // 10:00 on 10 Nov in Vietnam
const AGENCY = '000.00.10.H48';

function event(overrides: Partial<QueuedEvent> & Pick<QueuedEvent, 'eventId' | 'status'>): QueuedEvent {
  return {
    dossierCode: '000.00.10.H48-261110-0001',
    procedureCode: '1.001234',
    agencyCode: AGENCY,
    occurredAt: T,
    ...overrides,
  };
}

const received = (overrides: Partial<QueuedEvent> = {}): QueuedEvent =>
  event({ eventId: 'e-received', status: 2, receivedAt: T, channel: 2, onlineLevel: 'full', ...overrides });

const resolved = (overrides: Partial<QueuedEvent> = {}): QueuedEvent =>
  event({ eventId: 'e-resolved', status: 9, occurredAt: T + 24 * HOUR, dueAt: T + 48 * HOUR, ...overrides });

const mergeAll = (events: readonly QueuedEvent[]): DossierState =>
  events.reduce<DossierState>((state, e) => merge(state, e, rules), {});

/** A receipt for contributions tests. */
const receipt = (overrides: Partial<NonNullable<DossierState['receipt']>> = {}): DossierState['receipt'] => ({
  key: [T, 'e-received'],
  receivedAt: T,
  agencyCode: AGENCY,
  procedureCode: '1.001234',
  channel: 1,
  onlineLevel: 'none',
  fromNationalPortal: false,
  ...overrides,
});

/** The received cell of a dossier received in person with no fee: only `received` is 1. */
const receivedValues = {
  received: 1,
  receivedOnline: 0,
  receivedPostal: 0,
  fromNationalPortal: 0,
  fullOnlineEligible: 0,
  fullOnline: 0,
  feeRequired: 0,
  paidOnline: 0,
  paidOnlineAmountVnd: 0,
  resultByPost: 0,
};
const resolvedValues = {
  resolved: 1,
  resolvedOnline: 0,
  resolvedWithDueDate: 1,
  resolvedNoDueDate: 0,
  resolvedOnTime: 1,
  digitized: 0,
  rated: 0,
  satisfied: 0,
};

describe('merge: the receipt', () => {
  it('comes from an event with a received status, a receipt time and a channel', () => {
    expect(mergeAll([received()]).receipt).toEqual({
      key: [T, 'e-received', expect.any(String)],
      receivedAt: T,
      agencyCode: AGENCY,
      procedureCode: '1.001234',
      channel: 2,
      onlineLevel: 'full',
      fromNationalPortal: false,
    });
  });

  it('needs a received status: "registered" (1) is not a receipt, "received" (2) and "returned" (10) are', () => {
    expect(mergeAll([received({ status: 1 })]).receipt).toBeUndefined();
    expect(mergeAll([received({ status: 2 })]).receipt?.receivedAt).toBe(T);
    expect(mergeAll([received({ status: 10 })]).receipt?.receivedAt).toBe(T);
  });

  it('needs both the receipt time and the channel', () => {
    expect(mergeAll([received({ receivedAt: undefined })]).receipt).toBeUndefined();
    expect(mergeAll([received({ channel: undefined })]).receipt).toBeUndefined();
  });

  it('defaults the online level to none and the national portal to false', () => {
    const state = mergeAll([received({ onlineLevel: undefined, fromNationalPortal: undefined })]);
    expect(state.receipt).toMatchObject({ onlineLevel: 'none', fromNationalPortal: false });
    expect(mergeAll([received({ fromNationalPortal: true })]).receipt?.fromNationalPortal).toBe(true);
  });

  it('is the earliest event by time, then by event id, whatever order they arrive in', () => {
    const first = received({ eventId: 'b', occurredAt: T, agencyCode: 'first' });
    const tieWinner = received({ eventId: 'a', occurredAt: T, agencyCode: 'tie' });
    const later = received({ eventId: 'a0', occurredAt: T + 1, agencyCode: 'later' });
    expect(mergeAll([later, first]).receipt?.agencyCode).toBe('first');
    expect(mergeAll([first, later]).receipt?.agencyCode).toBe('first');
    expect(mergeAll([first, tieWinner]).receipt?.agencyCode).toBe('tie');
    expect(mergeAll([tieWinner, first]).receipt?.agencyCode).toBe('tie');
  });
});

describe('merge: the resolution', () => {
  it('comes from the first end status; its due date and supplement requests are kept beside it', () => {
    const state = mergeAll([resolved({ supplementRequests: 1 })]);
    expect(state.resolution).toEqual({
      key: [T + 24 * HOUR, 'e-resolved', expect.any(String)],
      resolvedAt: T + 24 * HOUR,
    });
    expect(dueDate(state)).toBe(T + 48 * HOUR);
    expect(supplementRequests(state)).toBe(1);
  });

  it('has no due date when the event carries none, and no supplement requests when it says none', () => {
    const state = mergeAll([resolved({ dueAt: undefined })]);
    expect(dueDate(state)).toBeUndefined();
    expect(supplementRequests(state)).toBe(0);
  });

  it('ignores statuses that are not an end: processing (4) resolves nothing', () => {
    expect(mergeAll([resolved({ status: 4 })]).resolution).toBeUndefined();
    expect(mergeAll([resolved({ status: 10 })]).resolution?.resolvedAt).toBe(T + 24 * HOUR);
  });

  it('keeps the earliest end status, in either order', () => {
    const resolvedFirst = resolved({ eventId: 'r9', status: 9, occurredAt: T + HOUR });
    const returnedLater = resolved({
      eventId: 'r10',
      status: 10,
      occurredAt: T + 2 * HOUR,
      dueAt: undefined,
    });
    expect(mergeAll([returnedLater, resolvedFirst]).resolution?.resolvedAt).toBe(T + HOUR);
    expect(dueDate(mergeAll([resolvedFirst, returnedLater]))).toBe(T + 48 * HOUR);
  });
});

describe('merge: monotonic facts', () => {
  it('marks a fee only when an event says one is required', () => {
    expect(
      mergeAll([received({ payment: { required: false, online: false, amountVnd: 0 } })]).feeRequired,
    ).toBeUndefined();
    expect(
      mergeAll([received({ payment: { required: true, online: false, amountVnd: 0 } })]).feeRequired,
    ).toBe(true);
    expect(mergeAll([received()]).feeRequired).toBeUndefined();
  });

  it('counts an online payment only for a required fee, adding up the distinct payment events', () => {
    const notRequired = mergeAll([
      received({ payment: { required: false, online: true, amountVnd: 50_000 } }),
    ]);
    expect(notRequired.paidOnline).toBeUndefined();
    expect(notRequired.paidOnlineAmountVnd).toBeUndefined();
    const paid = mergeAll([
      received({ eventId: 'p1', payment: { required: true, online: true, amountVnd: 50_000 } }),
      received({ eventId: 'p2', payment: { required: true, online: true, amountVnd: 20_000 } }),
      received({ eventId: 'p3', payment: { required: true, online: false, amountVnd: 90_000 } }),
    ]);
    expect(paid).toMatchObject({ feeRequired: true, paidOnline: true });
    // 50,000 + 20,000 online; the 90,000 paid in person is no online payment.
    expect(contributions(paid, rules, vnDay).cells[0]?.values.paidOnlineAmountVnd).toBe(70_000);
  });

  it('keeps digitisation and electronic result once seen, and the latest rating, not the best', () => {
    const state = mergeAll([
      resolved({ eventId: 'x1', digitized: true, satisfaction: 4 }),
      resolved({
        eventId: 'x2',
        occurredAt: T + 30 * HOUR,
        digitized: false,
        electronicResult: true,
        satisfaction: 2,
      }),
    ]);
    expect(state).toMatchObject({ digitized: true, electronicResult: true });
    expect(state.rating?.value).toBe(2);
  });

  it('keeps a result delivered by post once seen, and a "not by post" teaches nothing', () => {
    expect(mergeAll([received({ resultByPost: false })]).resultByPost).toBeUndefined();
    expect(
      mergeAll([received({ eventId: 'b1', resultByPost: true }), resolved({ resultByPost: false })])
        .resultByPost,
    ).toBe(true);
  });

  it('returns the same state for an event that teaches nothing new', () => {
    const events = [
      received({ payment: { required: true, online: true, amountVnd: 10_000 } }),
      resolved({ digitized: true, electronicResult: true, satisfaction: 5 }),
    ];
    const state = mergeAll(events);
    for (const e of events) expect(merge(state, e, rules)).toBe(state);
    expect(merge(state, event({ eventId: 'other', status: 4 }), rules)).toBe(state);
  });
});

describe('contributions', () => {
  it('counts nothing before the dossier is known to be received, even a resolution', () => {
    expect(contributions(mergeAll([resolved()]), rules, vnDay)).toEqual({ cells: [] });
    expect(contributions({}, rules, vnDay)).toEqual({ cells: [] });
  });

  it('counts a dossier received in person without fee on its day of receipt, and nothing else', () => {
    expect(contributions({ receipt: receipt() }, rules, vnDay)).toEqual({
      cells: [{ agencyCode: AGENCY, day: '2026-11-10', values: receivedValues }],
    });
  });

  it('counts an online, full-online, national-portal dossier and its online service for the month', () => {
    const state: DossierState = {
      receipt: receipt({ channel: 2, onlineLevel: 'full', fromNationalPortal: true }),
    };
    expect(contributions(state, rules, vnDay)).toEqual({
      cells: [
        {
          agencyCode: AGENCY,
          day: '2026-11-10',
          values: {
            ...receivedValues,
            receivedOnline: 1,
            fromNationalPortal: 1,
            fullOnlineEligible: 1,
            fullOnline: 1,
          },
        },
      ],
      onlineService: { procedureCode: '1.001234', month: '2026-11' },
    });
  });

  it('counts full-online eligibility without a full-online dossier when it came in person or by post', () => {
    const inPerson = contributions({ receipt: receipt({ onlineLevel: 'full' }) }, rules, vnDay);
    expect(inPerson.cells[0]?.values).toMatchObject({
      fullOnlineEligible: 1,
      fullOnline: 0,
      receivedOnline: 0,
    });
    const postal = contributions({ receipt: receipt({ channel: 3, onlineLevel: 'partial' }) }, rules, vnDay);
    expect(postal.cells[0]?.values).toMatchObject({
      receivedPostal: 1,
      fullOnlineEligible: 0,
      fullOnline: 0,
    });
    expect(postal.onlineService).toBeUndefined();
  });

  it('counts a fee, and a payment with its amount only when the fee is required', () => {
    const paid = contributions(
      { receipt: receipt(), feeRequired: true, paidOnline: true, paidOnlineAmountVnd: 50_000 },
      rules,
      vnDay,
    );
    expect(paid.cells[0]?.values).toMatchObject({
      feeRequired: 1,
      paidOnline: 1,
      paidOnlineAmountVnd: 50_000,
    });
    const feeOnly = contributions({ receipt: receipt(), feeRequired: true }, rules, vnDay);
    expect(feeOnly.cells[0]?.values).toMatchObject({ feeRequired: 1, paidOnline: 0, paidOnlineAmountVnd: 0 });
    const paidNoAmount = contributions(
      { receipt: receipt(), feeRequired: true, paidOnline: true },
      rules,
      vnDay,
    );
    expect(paidNoAmount.cells[0]?.values).toMatchObject({ paidOnline: 1, paidOnlineAmountVnd: 0 });
    const noFee = contributions(
      { receipt: receipt(), paidOnline: true, paidOnlineAmountVnd: 50_000 },
      rules,
      vnDay,
    );
    expect(noFee.cells[0]?.values).toMatchObject({ feeRequired: 0, paidOnline: 0, paidOnlineAmountVnd: 0 });
  });

  it('counts a result delivered by post on the day of receipt, without making the dossier postal', () => {
    const byPost = contributions({ receipt: receipt(), resultByPost: true }, rules, vnDay);
    expect(byPost).toEqual({
      cells: [{ agencyCode: AGENCY, day: '2026-11-10', values: { ...receivedValues, resultByPost: 1 } }],
    });
    const notByPost = contributions({ receipt: receipt(), resultByPost: false }, rules, vnDay);
    expect(notByPost.cells[0]?.values).toEqual(receivedValues);
  });

  it('puts the receipt on the Vietnam day: 23:59:59.999 is still that day, midnight is the next', () => {
    const late = Date.parse('2026-11-30T16:59:59.999Z');
    expect(contributions({ receipt: receipt({ receivedAt: late }) }, rules, vnDay).cells[0]?.day).toBe(
      '2026-11-30',
    );
    const next = contributions({ receipt: receipt({ receivedAt: late + 1, channel: 2 }) }, rules, vnDay);
    expect(next.cells[0]?.day).toBe('2026-12-01');
    expect(next.onlineService?.month).toBe('2026-12');
  });

  describe('the resolution, on its own day', () => {
    const dueAt = Date.parse('2026-11-20T10:00:00Z');
    const resolvedState = (resolution: NonNullable<DossierState['resolution']>, extra: DossierState = {}) =>
      contributions({ receipt: receipt(), resolution, ...extra }, rules, vnDay);

    it('is on time when resolved exactly at the due date', () => {
      const result = resolvedState({ key: [dueAt, 'r'], resolvedAt: dueAt, dueAt, supplementRequests: 0 });
      expect(result.cells).toEqual([
        { agencyCode: AGENCY, day: '2026-11-10', values: receivedValues },
        { agencyCode: AGENCY, day: '2026-11-20', values: resolvedValues },
        { agencyCode: AGENCY, day: '2026-11-20', values: { closureDue: 1, closureInGrace: 1 } },
      ]);
    });

    it('is late one millisecond after the due date, but still counted with a due date', () => {
      const result = resolvedState({
        key: [dueAt + 1, 'r'],
        resolvedAt: dueAt + 1,
        dueAt,
        supplementRequests: 0,
      });
      expect(result.cells[1]?.values).toEqual({ ...resolvedValues, resolvedOnTime: 0 });
    });

    it('stays on time after one supplement request and is late after a second', () => {
      const one = resolvedState({ key: [dueAt, 'r'], resolvedAt: dueAt, dueAt, supplementRequests: 1 });
      const two = resolvedState({ key: [dueAt, 'r'], resolvedAt: dueAt, dueAt, supplementRequests: 2 });
      expect(one.cells[1]?.values).toMatchObject({ resolvedWithDueDate: 1, resolvedOnTime: 1 });
      expect(two.cells[1]?.values).toMatchObject({ resolvedWithDueDate: 1, resolvedOnTime: 0 });
    });

    it('without a due date counts as resolved, outside the on-time rate', () => {
      const result = resolvedState({ key: [dueAt, 'r'], resolvedAt: dueAt, supplementRequests: 0 });
      expect(result.cells[1]?.values).toEqual({
        ...resolvedValues,
        resolvedWithDueDate: 0,
        resolvedOnTime: 0,
      });
    });

    it('counts as processed online when the dossier was received online', () => {
      const online = contributions(
        {
          receipt: receipt({ channel: 2 }),
          resolution: { key: [dueAt, 'r'], resolvedAt: dueAt, dueAt, supplementRequests: 0 },
        },
        rules,
        vnDay,
      );
      expect(online.cells[1]?.values).toMatchObject({ resolved: 1, resolvedOnline: 1 });
    });

    it('counts digitised only with both digitised components and an electronic result', () => {
      const resolution = {
        key: [dueAt, 'r'] as [number, string],
        resolvedAt: dueAt,
        dueAt,
        supplementRequests: 0,
      };
      expect(
        resolvedState(resolution, { digitized: true, electronicResult: true }).cells[1]?.values.digitized,
      ).toBe(1);
      expect(resolvedState(resolution, { digitized: true }).cells[1]?.values.digitized).toBe(0);
      expect(resolvedState(resolution, { electronicResult: true }).cells[1]?.values.digitized).toBe(0);
    });

    it('counts a rating, and a satisfied one from 4 up', () => {
      const resolution = {
        key: [dueAt, 'r'] as [number, string],
        resolvedAt: dueAt,
        dueAt,
        supplementRequests: 0,
      };
      expect(resolvedState(resolution, { satisfaction: 4 }).cells[1]?.values).toMatchObject({
        rated: 1,
        satisfied: 1,
      });
      expect(resolvedState(resolution, { satisfaction: 3 }).cells[1]?.values).toMatchObject({
        rated: 1,
        satisfied: 0,
      });
      expect(resolvedState(resolution, { satisfaction: 5 }).cells[1]?.values).toMatchObject({
        rated: 1,
        satisfied: 1,
      });
      expect(resolvedState(resolution).cells[1]?.values).toMatchObject({ rated: 0, satisfied: 0 });
    });
  });
});

describe('the closure counters, on the due day', () => {
  const dueAt = Date.parse('2026-11-20T10:00:00Z'); // 17:00 on 20 Nov in Vietnam
  const DAY = 86_400_000;
  const closure = (state: DossierState, withRules = rules) =>
    contributions({ receipt: receipt(), ...state }, withRules, vnDay).cells.filter(
      (cell) => cell.values.closureDue !== undefined,
    );
  const resolvedAt = (at: number): DossierState => ({
    resolution: { key: [at, 'r'], resolvedAt: at },
    due: { key: [T, 'd'], dueAt },
  });

  it('closes in time a dossier first resolved exactly at the due date plus the grace of three days', () => {
    expect(closure(resolvedAt(dueAt + 3 * DAY))).toEqual([
      { agencyCode: AGENCY, day: '2026-11-20', values: { closureDue: 1, closureInGrace: 1 } },
    ]);
  });

  it('does not one millisecond later, though the dossier is still due that day', () => {
    expect(closure(resolvedAt(dueAt + 3 * DAY + 1))).toEqual([
      { agencyCode: AGENCY, day: '2026-11-20', values: { closureDue: 1, closureInGrace: 0 } },
    ]);
  });

  it('counts a dossier still open as due and not closed', () => {
    expect(closure({ due: { key: [T, 'd'], dueAt } })).toEqual([
      { agencyCode: AGENCY, day: '2026-11-20', values: { closureDue: 1, closureInGrace: 0 } },
    ]);
  });

  it('leaves out a dossier without a due date, and one withdrawn before any end status', () => {
    expect(
      closure({ due: { key: [T, 'd'], dueAt: null }, resolution: { key: [T, 'r'], resolvedAt: T } }),
    ).toEqual([]);
    expect(closure({ due: { key: [T, 'd'], dueAt }, closed: true })).toEqual([]);
  });

  it('takes the grace from the rules: with none, one millisecond after the due date is too late', () => {
    const strict = { ...rules, closureGraceDays: 0 };
    expect(closure(resolvedAt(dueAt), strict)[0]?.values).toEqual({ closureDue: 1, closureInGrace: 1 });
    expect(closure(resolvedAt(dueAt + 1), strict)[0]?.values).toEqual({ closureDue: 1, closureInGrace: 0 });
  });
});

describe('a refusal after the receipt', () => {
  const refused = (occurredAt: number): QueuedEvent => event({ eventId: 'e-refused', status: 3, occurredAt });

  it('retracts the receipt one millisecond after it, and not one millisecond before it', () => {
    const after = mergeAll([received(), refused(T + 1)]);
    expect(isReceived(after, rules)).toBe(false);
    expect(contributions(after, rules, vnDay)).toEqual({ cells: [] });
    const before = mergeAll([refused(T - 1), received()]);
    expect(isReceived(before, rules)).toBe(true);
    expect(contributions(before, rules, vnDay).cells[0]?.values.received).toBe(1);
  });

  it('is overtaken by a later received status: the dossier was taken in after all', () => {
    const state = mergeAll([
      received(),
      refused(T + HOUR),
      event({ eventId: 'p', status: 4, occurredAt: T + 2 * HOUR }),
    ]);
    expect(isReceived(state, rules)).toBe(true);
  });

  it('is ignored when configured so', () => {
    const state = mergeAll([received(), refused(T + 1)]);
    expect(isReceived(state, { ...rules, notAccepted: 'ignored' })).toBe(true);
  });

  it('follows the national status list by default: 3 retracts', () => {
    expect(rules.notAcceptedStatuses).toEqual([3]);
    expect(rules.notAccepted).toBe('retracts_receipt');
  });
});

describe('supplement requests', () => {
  const requested = (eventId: string, occurredAt: number): QueuedEvent =>
    event({ eventId, status: 5, occurredAt, receivedAt: T, channel: 1 });
  const onTime = (state: DossierState): number | undefined =>
    contributions(state, rules, vnDay).cells.find((c) => c.values.resolved)?.values.resolvedOnTime;

  it('are the larger of the most any event reported and the distinct status-5 events', () => {
    expect(
      supplementRequests(
        mergeAll([received(), requested('s1', T + HOUR), resolved({ supplementRequests: 0 })]),
      ),
    ).toBe(1);
    expect(
      supplementRequests(
        mergeAll([received({ supplementRequests: 2 }), resolved({ supplementRequests: 0 })]),
      ),
    ).toBe(2);
    const twice = mergeAll([
      received(),
      requested('s1', T + HOUR),
      requested('s2', T + 2 * HOUR),
      resolved(),
    ]);
    expect(supplementRequests(twice)).toBe(2);
  });

  it('count a resent status-5 event once', () => {
    const state = mergeAll([received(), requested('s1', T + HOUR), requested('s1', T + HOUR), resolved()]);
    expect(supplementRequests(state)).toBe(1);
  });

  it('keep one request on time and make a second late, whichever way it was reported', () => {
    expect(onTime(mergeAll([received(), requested('s1', T + HOUR), resolved()]))).toBe(1);
    expect(
      onTime(mergeAll([received(), requested('s1', T + HOUR), requested('s2', T + 2 * HOUR), resolved()])),
    ).toBe(0);
    expect(onTime(mergeAll([received(), resolved({ supplementRequests: 2 })]))).toBe(0);
  });
});

describe('the due date', () => {
  const due = T + 48 * HOUR;

  it('is kept from any event, and an open dossier counts on its due day', () => {
    const state = mergeAll([received({ dueAt: due })]);
    expect(dueDate(state)).toBe(due);
    expect(contributions(state, rules, vnDay).cells).toContainEqual({
      agencyCode: AGENCY,
      day: vnDay(due),
      values: { openWithDueDate: 1 },
    });
  });

  it('stops counting as open once resolved, withdrawn or stopped', () => {
    const resolvedState = mergeAll([received({ dueAt: due }), resolved()]);
    expect(contributions(resolvedState, rules, vnDay).cells.some((c) => c.values.openWithDueDate)).toBe(
      false,
    );
    for (const status of [7, 8]) {
      const closed = mergeAll([
        received({ dueAt: due }),
        event({ eventId: 'w', status, occurredAt: T + HOUR }),
      ]);
      expect(contributions(closed, rules, vnDay).cells.some((c) => c.values.openWithDueDate)).toBe(false);
    }
  });

  it('may be explicitly none: the dossier leaves the on-time rate and is counted apart', () => {
    const state = mergeAll([received(), resolved({ dueAt: undefined, noDueDate: true })]);
    expect(dueDate(state)).toBeNull();
    expect(contributions(state, rules, vnDay).cells[1]?.values).toMatchObject({
      resolved: 1,
      resolvedWithDueDate: 0,
      resolvedNoDueDate: 1,
      resolvedOnTime: 0,
    });
  });

  it('is the latest one stated: an extension after the first date wins, in any order', () => {
    const first = received({ dueAt: due });
    const extended = event({ eventId: 'x', status: 4, occurredAt: T + HOUR, dueAt: due + 24 * HOUR });
    expect(dueDate(mergeAll([first, extended]))).toBe(due + 24 * HOUR);
    expect(dueDate(mergeAll([extended, first]))).toBe(due + 24 * HOUR);
  });
});

describe('a resend with the same eventId but different content', () => {
  it('gives the same state whichever version arrives first', () => {
    const a = received({
      eventId: 'same',
      payment: { required: true, online: true, amountVnd: 20_000 },
      satisfaction: 2,
    });
    const b = received({
      eventId: 'same',
      payment: { required: true, online: true, amountVnd: 90_000 },
      satisfaction: 5,
    });
    expect(contentHash(a)).not.toBe(contentHash(b));
    expect(mergeAll([a, b])).toEqual(mergeAll([b, a]));
    expect(contributions(mergeAll([a, b]), rules, vnDay)).toEqual(
      contributions(mergeAll([b, a]), rules, vnDay),
    );
  });

  it('hashes content, not key order', () => {
    const a = received();
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as QueuedEvent;
    expect(contentHash(reordered)).toBe(contentHash(a));
  });
});

describe('merge is order-free and idempotent over every input class the rules distinguish', () => {
  // Resolutions with and without a due date, dossiers with no payment field, with a fee that is not
  // required, and with a required fee paid online or not; received, end and other statuses.
  const anEvent = fc.record({
    eventId: fc.constantFrom('a', 'b', 'c', 'd'),
    status: fc.integer({ min: 1, max: 10 }),
    occurredAt: fc.integer({ min: T, max: T + 72 * HOUR }),
    receivedAt: fc.option(fc.integer({ min: T - 24 * HOUR, max: T }), { nil: undefined }),
    channel: fc.option(fc.constantFrom(1 as const, 2 as const, 3 as const), { nil: undefined }),
    dueAt: fc.option(fc.integer({ min: T, max: T + 72 * HOUR }), { nil: undefined }),
    noDueDate: fc.option(fc.constant(true), { nil: undefined }),
    supplementRequests: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    payment: fc.option(
      fc.record({
        required: fc.boolean(),
        online: fc.boolean(),
        amountVnd: fc.constantFrom(0, 20_000, 50_000),
      }),
      { nil: undefined },
    ),
    digitized: fc.option(fc.boolean(), { nil: undefined }),
    electronicResult: fc.option(fc.boolean(), { nil: undefined }),
    satisfaction: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  });
  const clean = (e: Record<string, unknown>): QueuedEvent =>
    event(
      Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as Partial<QueuedEvent> &
        Pick<QueuedEvent, 'eventId' | 'status'>,
    );

  it('gives the same state for any order even when a resend changes the content under the same eventId', () => {
    // Each event may come with a variant: same eventId and time, other content.
    const withVariants = fc
      .array(fc.tuple(anEvent, fc.option(anEvent, { nil: undefined })), { minLength: 1, maxLength: 6 })
      .map((pairs) =>
        pairs.flatMap(([e, variant]) => {
          const base = clean(e);
          return variant === undefined
            ? [base]
            : [base, clean({ ...variant, eventId: e.eventId, occurredAt: e.occurredAt })];
        }),
      );
    fc.assert(
      fc.property(withVariants, fc.infiniteStream(fc.nat()), (events, seeds) => {
        const shuffled = [...events, ...events].sort(() => (seeds.next().value % 3) - 1);
        expect(mergeAll(shuffled)).toEqual(mergeAll(events));
        expect(contributions(mergeAll(shuffled), rules, vnDay)).toEqual(
          contributions(mergeAll(events), rules, vnDay),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same contributions for any order and any repetition of the same events', () => {
    fc.assert(
      fc.property(
        fc.array(anEvent, { minLength: 1, maxLength: 8 }).map((list) => list.map(clean)),
        fc.infiniteStream(fc.nat()),
        (events, seeds) => {
          const shuffled = [...events, ...events].sort(() => (seeds.next().value % 3) - 1);
          expect(contributions(mergeAll(shuffled), rules, vnDay)).toEqual(
            contributions(mergeAll(events), rules, vnDay),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
