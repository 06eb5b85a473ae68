import { createHash } from 'node:crypto';
import type { QueuedEvent } from '../../schemas/queue.ts';
import { type CounterValues, isZero } from './counters.ts';

/**
 * What the pipeline remembers of one dossier. Every part is a lattice: merging an event is commutative,
 * associative and idempotent, so any order and any number of deliveries of the same events give the same
 * state, and therefore the same counters. Two different events that share an `eventId` (a resend whose
 * content changed) are told apart by a hash of their content, so even they cannot make the state depend on
 * which arrived first.
 */
export interface DossierState {
  /** From the earliest (occurredAt, eventId, content) event that shows the dossier received. */
  receipt?: {
    key: EventKey;
    receivedAt: number;
    agencyCode: string;
    procedureCode: string;
    channel: 1 | 2 | 3;
    onlineLevel: 'none' | 'partial' | 'full';
    fromNationalPortal: boolean;
  };
  /** The latest event with a received status: a refusal before it was overtaken by a new receipt. */
  lastReceivedKey?: EventKey;
  /** The latest "not accepted" (status 3) event: after the latest receipt, it retracts the receipt. */
  notAcceptedKey?: EventKey;
  /** From the earliest event with an end status: the first resolution is the one that counts. */
  resolution?: {
    key: EventKey;
    resolvedAt: number;
    /** Written by earlier versions only; `due` replaces it. */
    dueAt?: number;
    /** Written by earlier versions only; `supplementsMax` and `supplementEvents` replace it. */
    supplementRequests?: number;
  };
  /** Withdrawn (7) or stopped (8): no longer open, so never overdue. */
  closed?: boolean;
  /** From the latest event that states a due date, or states explicitly that there is none (`dueAt: null`). */
  due?: { key: EventKey; dueAt: number | null };
  /** The largest `supplementRequests` any event carried. */
  supplementsMax?: number;
  /** Distinct `eventId`s of "supplement requested" (5) events, sorted. */
  supplementEvents?: string[];
  /** Monotonic facts: once true (or once seen), they stay. */
  feeRequired?: boolean;
  paidOnline?: boolean;
  /** Written by earlier versions only; `payments` replaces it. */
  paidOnlineAmountVnd?: number;
  /** Online payments by `eventId`: [occurredAt, content hash, amount]; the greatest version of an id wins. */
  payments?: Record<string, [number, string, number]>;
  digitized?: boolean;
  electronicResult?: boolean;
  /** Written by earlier versions only (the highest rating); `rating` replaces it. */
  satisfaction?: number;
  /** The latest rating: a citizen who changes their mind is heard. */
  rating?: { key: EventKey; value: number };
  /** The result goes to the citizen by post: how it is delivered, not how the dossier came in. */
  resultByPost?: boolean;
}

/** The order of events: time, then id, then a hash of the content (absent in states written earlier). */
export type EventKey = [occurredAt: number, eventId: string, contentHash?: string];

/** What a "not accepted" event after a receipt means. */
export type NotAcceptedRule = 'retracts_receipt' | 'ignored';
/** Which dossiers the on-time rate is taken over. */
export type OnTimeDenominator = 'resolved' | 'resolved_and_overdue_open';

export interface DossierRules {
  receivedStatuses: readonly number[];
  resolvedStatuses: readonly number[];
  maxSupplementRequestsOnTime: number;
  satisfiedAtLeast: number;
  /** Default [3], the national list's "không tiếp nhận". */
  notAcceptedStatuses?: readonly number[];
  /** Default `retracts_receipt`. */
  notAccepted?: NotAcceptedRule;
  /** Default [5]. */
  supplementStatuses?: readonly number[];
  /** Default [7, 8]: withdrawn by the citizen, processing stopped. */
  closedStatuses?: readonly number[];
  /** Default 3: days after its due date within which a dossier's first end status still closes it in time. */
  closureGraceDays?: number;
}

function compareKeys(a: EventKey, b: EventKey): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  const ha = a[2] ?? '';
  const hb = b[2] ?? '';
  return ha === hb ? 0 : ha < hb ? -1 : 1;
}

const earlier = (a: EventKey, b: EventKey): boolean => compareKeys(a, b) < 0;

/** A stable hash of an event's content: the same fields and values give the same hash, in any key order. */
export function contentHash(event: QueuedEvent): string {
  const canonical = (value: unknown): string => {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
    if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  };
  return createHash('sha256').update(canonical(event)).digest('base64url').slice(0, 16);
}

/** The state after one more event; returns the same object when the event teaches nothing new. */
export function merge(state: DossierState, event: QueuedEvent, rules: DossierRules): DossierState {
  const key: EventKey = [event.occurredAt, event.eventId, contentHash(event)];
  let next: DossierState = state;
  const change = (patch: Partial<DossierState>): void => {
    next = { ...next, ...patch };
  };
  const received = rules.receivedStatuses.includes(event.status);
  if (
    received &&
    event.receivedAt !== undefined &&
    event.channel !== undefined &&
    (!next.receipt || earlier(key, next.receipt.key))
  ) {
    change({
      receipt: {
        key,
        receivedAt: event.receivedAt,
        agencyCode: event.agencyCode,
        procedureCode: event.procedureCode,
        channel: event.channel,
        onlineLevel: event.onlineLevel ?? 'none',
        fromNationalPortal: event.fromNationalPortal ?? false,
      },
    });
  }
  if (received && (!next.lastReceivedKey || earlier(next.lastReceivedKey, key)))
    change({ lastReceivedKey: key });
  if (
    (rules.notAcceptedStatuses ?? [3]).includes(event.status) &&
    (!next.notAcceptedKey || earlier(next.notAcceptedKey, key))
  )
    change({ notAcceptedKey: key });
  if (
    rules.resolvedStatuses.includes(event.status) &&
    (!next.resolution || earlier(key, next.resolution.key))
  ) {
    change({ resolution: { key, resolvedAt: event.occurredAt } });
  }
  if ((rules.closedStatuses ?? [7, 8]).includes(event.status) && !next.closed) change({ closed: true });
  if (event.dueAt !== undefined || event.noDueDate === true) {
    const dueAt = event.dueAt ?? null;
    if (!next.due || earlier(next.due.key, key)) change({ due: { key, dueAt } });
  }
  if (event.supplementRequests !== undefined && event.supplementRequests > (next.supplementsMax ?? 0))
    change({ supplementsMax: event.supplementRequests });
  if (
    (rules.supplementStatuses ?? [5]).includes(event.status) &&
    !(next.supplementEvents ?? []).includes(event.eventId)
  )
    change({ supplementEvents: [...(next.supplementEvents ?? []), event.eventId].sort() });
  if (event.payment?.required && !next.feeRequired) change({ feeRequired: true });
  if (event.payment?.required && event.payment.online) {
    if (!next.paidOnline) change({ paidOnline: true });
    const current = next.payments?.[event.eventId];
    const version: [number, string, number] = [event.occurredAt, key[2] ?? '', event.payment.amountVnd];
    if (!current || compareKeys([current[0], event.eventId, current[1]], key) < 0)
      change({ payments: { ...next.payments, [event.eventId]: version } });
  }
  if (event.digitized && !next.digitized) change({ digitized: true });
  if (event.electronicResult && !next.electronicResult) change({ electronicResult: true });
  if (event.resultByPost && !next.resultByPost) change({ resultByPost: true });
  if (event.satisfaction !== undefined && (!next.rating || earlier(next.rating.key, key))) {
    change({ rating: { key, value: event.satisfaction } });
  }
  return next;
}

/** Where a dossier's contribution lands: an agency on a day (Vietnam time). */
export interface Contribution {
  agencyCode: string;
  day: string;
  values: CounterValues;
}

export interface Contributions {
  cells: Contribution[];
  /** The procedure and month of an online receipt, for "online services with dossiers". */
  onlineService?: { procedureCode: string; month: string };
}

/** Whether the dossier counts as received: a later "not accepted" retracts the receipt, by default. */
export function isReceived(state: DossierState, rules: DossierRules): boolean {
  if (!state.receipt) return false;
  if ((rules.notAccepted ?? 'retracts_receipt') === 'ignored' || !state.notAcceptedKey) return true;
  const last = state.lastReceivedKey ?? state.receipt.key;
  return earlier(state.notAcceptedKey, last);
}

/** Requests for supplements: the most any event reported, or the distinct status-5 events, whichever is more. */
export function supplementRequests(state: DossierState): number {
  return Math.max(
    state.supplementsMax ?? 0,
    state.resolution?.supplementRequests ?? 0,
    state.supplementEvents?.length ?? 0,
  );
}

/** The due date: a time, `null` when explicitly none, `undefined` when no event said. */
export function dueDate(state: DossierState): number | null | undefined {
  return state.due ? state.due.dueAt : state.resolution?.dueAt;
}

function paidAmount(state: DossierState): number {
  if (!state.payments) return state.paidOnlineAmountVnd ?? 0;
  return Object.values(state.payments).reduce((sum, [, , amount]) => sum + amount, 0);
}

function ratingOf(state: DossierState): number | undefined {
  return state.rating?.value ?? state.satisfaction;
}

/**
 * A dossier's share of the closure counters, on its due day: every dossier with a due date that was not
 * withdrawn or stopped before an end status, and, of those, whether its first end status came by the due date
 * plus the grace. One withdrawn without a resolution has no end time to judge, so it is in neither.
 */
function closureOf(
  state: DossierState,
  due: number | null | undefined,
  rules: DossierRules,
): CounterValues | undefined {
  if (typeof due !== 'number') return undefined;
  if (!state.resolution && state.closed) return undefined;
  const limit = due + (rules.closureGraceDays ?? 3) * 86_400_000;
  return { closureDue: 1, closureInGrace: state.resolution && state.resolution.resolvedAt <= limit ? 1 : 0 };
}

/**
 * A dossier's share of every counter. Nothing counts until the dossier is known to be received. A dossier
 * still open with a due date counts `openWithDueDate` on its due day, so "open and overdue as of a time" is
 * the sum of that counter over the days before it.
 */
export function contributions(
  state: DossierState,
  rules: DossierRules,
  dayOf: (ms: number) => string,
): Contributions {
  const receipt = state.receipt;
  if (!receipt || !isReceived(state, rules)) return { cells: [] };
  const online = receipt.channel === 2;
  const receivedDay = dayOf(receipt.receivedAt);
  const paid = state.feeRequired === true && state.paidOnline === true;
  const received: CounterValues = {
    received: 1,
    receivedOnline: online ? 1 : 0,
    receivedPostal: receipt.channel === 3 ? 1 : 0,
    fromNationalPortal: receipt.fromNationalPortal ? 1 : 0,
    fullOnlineEligible: receipt.onlineLevel === 'full' ? 1 : 0,
    fullOnline: receipt.onlineLevel === 'full' && online ? 1 : 0,
    feeRequired: state.feeRequired ? 1 : 0,
    paidOnline: paid ? 1 : 0,
    paidOnlineAmountVnd: paid ? paidAmount(state) : 0,
    resultByPost: state.resultByPost ? 1 : 0,
  };
  const cells: Contribution[] = [{ agencyCode: receipt.agencyCode, day: receivedDay, values: received }];
  const resolution = state.resolution;
  const due = dueDate(state);
  if (resolution) {
    const hasDue = typeof due === 'number';
    const onTime =
      typeof due === 'number' &&
      resolution.resolvedAt <= due &&
      supplementRequests(state) <= rules.maxSupplementRequestsOnTime;
    const rating = ratingOf(state);
    cells.push({
      agencyCode: receipt.agencyCode,
      day: dayOf(resolution.resolvedAt),
      values: {
        resolved: 1,
        resolvedOnline: online ? 1 : 0,
        resolvedWithDueDate: hasDue ? 1 : 0,
        resolvedNoDueDate: due === null ? 1 : 0,
        resolvedOnTime: onTime ? 1 : 0,
        digitized: state.digitized && state.electronicResult ? 1 : 0,
        rated: rating !== undefined ? 1 : 0,
        satisfied: (rating ?? 0) >= rules.satisfiedAtLeast ? 1 : 0,
      },
    });
  } else if (typeof due === 'number' && !state.closed) {
    cells.push({ agencyCode: receipt.agencyCode, day: dayOf(due), values: { openWithDueDate: 1 } });
  }
  const closure = closureOf(state, due, rules);
  if (closure && typeof due === 'number')
    cells.push({ agencyCode: receipt.agencyCode, day: dayOf(due), values: closure });
  const result: Contributions = { cells: cells.filter((cell) => !isZero(cell.values)) };
  if (online) result.onlineService = { procedureCode: receipt.procedureCode, month: receivedDay.slice(0, 7) };
  return result;
}
