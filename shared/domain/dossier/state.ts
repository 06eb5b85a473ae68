import type { QueuedEvent } from '../../schemas/queue.ts';
import { type CounterValues, isZero } from './counters.ts';

/**
 * What the pipeline remembers of one dossier. Every part is a lattice: merging an event is commutative,
 * associative and idempotent, so any order and any number of deliveries of the same events give the same
 * state, and therefore the same counters.
 */
export interface DossierState {
  /** From the earliest (occurredAt, eventId) event that shows the dossier received. */
  receipt?: {
    key: EventKey;
    receivedAt: number;
    agencyCode: string;
    procedureCode: string;
    channel: 1 | 2 | 3;
    onlineLevel: 'none' | 'partial' | 'full';
    fromNationalPortal: boolean;
  };
  /** From the earliest event with an end status: the first resolution is the one that counts. */
  resolution?: { key: EventKey; resolvedAt: number; dueAt?: number; supplementRequests: number };
  /** Monotonic facts: once true (or once seen), they stay. */
  feeRequired?: boolean;
  paidOnline?: boolean;
  paidOnlineAmountVnd?: number;
  digitized?: boolean;
  electronicResult?: boolean;
  satisfaction?: number;
  /** The result goes to the citizen by post: how it is delivered, not how the dossier came in. */
  resultByPost?: boolean;
}

export type EventKey = [occurredAt: number, eventId: string];

export interface DossierRules {
  receivedStatuses: readonly number[];
  resolvedStatuses: readonly number[];
  maxSupplementRequestsOnTime: number;
  satisfiedAtLeast: number;
}

function earlier(a: EventKey, b: EventKey): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** The state after one more event; returns the same object when the event teaches nothing new. */
export function merge(state: DossierState, event: QueuedEvent, rules: DossierRules): DossierState {
  const key: EventKey = [event.occurredAt, event.eventId];
  let next: DossierState = state;
  const change = (patch: Partial<DossierState>): void => {
    next = { ...next, ...patch };
  };
  if (
    rules.receivedStatuses.includes(event.status) &&
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
  if (
    rules.resolvedStatuses.includes(event.status) &&
    (!next.resolution || earlier(key, next.resolution.key))
  ) {
    const resolution: NonNullable<DossierState['resolution']> = {
      key,
      resolvedAt: event.occurredAt,
      supplementRequests: event.supplementRequests ?? 0,
    };
    if (event.dueAt !== undefined) resolution.dueAt = event.dueAt;
    change({ resolution });
  }
  if (event.payment?.required && !next.feeRequired) change({ feeRequired: true });
  if (event.payment?.required && event.payment.online) {
    if (!next.paidOnline) change({ paidOnline: true });
    if (event.payment.amountVnd > (next.paidOnlineAmountVnd ?? 0))
      change({ paidOnlineAmountVnd: event.payment.amountVnd });
  }
  if (event.digitized && !next.digitized) change({ digitized: true });
  if (event.electronicResult && !next.electronicResult) change({ electronicResult: true });
  if (event.resultByPost && !next.resultByPost) change({ resultByPost: true });
  if (event.satisfaction !== undefined && event.satisfaction > (next.satisfaction ?? 0)) {
    change({ satisfaction: event.satisfaction });
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

/** A dossier's share of every counter. Nothing counts until the dossier is known to be received. */
export function contributions(
  state: DossierState,
  rules: DossierRules,
  dayOf: (ms: number) => string,
): Contributions {
  const receipt = state.receipt;
  if (!receipt) return { cells: [] };
  const online = receipt.channel === 2;
  const receivedDay = dayOf(receipt.receivedAt);
  const received: CounterValues = {
    received: 1,
    receivedOnline: online ? 1 : 0,
    receivedPostal: receipt.channel === 3 ? 1 : 0,
    fromNationalPortal: receipt.fromNationalPortal ? 1 : 0,
    fullOnlineEligible: receipt.onlineLevel === 'full' ? 1 : 0,
    fullOnline: receipt.onlineLevel === 'full' && online ? 1 : 0,
    feeRequired: state.feeRequired ? 1 : 0,
    paidOnline: state.feeRequired && state.paidOnline ? 1 : 0,
    paidOnlineAmountVnd: state.feeRequired && state.paidOnline ? (state.paidOnlineAmountVnd ?? 0) : 0,
    resultByPost: state.resultByPost ? 1 : 0,
  };
  const cells: Contribution[] = [{ agencyCode: receipt.agencyCode, day: receivedDay, values: received }];
  const resolution = state.resolution;
  if (resolution) {
    const hasDue = resolution.dueAt !== undefined;
    const onTime =
      resolution.dueAt !== undefined &&
      resolution.resolvedAt <= resolution.dueAt &&
      resolution.supplementRequests <= rules.maxSupplementRequestsOnTime;
    cells.push({
      agencyCode: receipt.agencyCode,
      day: dayOf(resolution.resolvedAt),
      values: {
        resolved: 1,
        resolvedOnline: online ? 1 : 0,
        resolvedWithDueDate: hasDue ? 1 : 0,
        resolvedOnTime: onTime ? 1 : 0,
        digitized: state.digitized && state.electronicResult ? 1 : 0,
        rated: state.satisfaction !== undefined ? 1 : 0,
        satisfied: (state.satisfaction ?? 0) >= rules.satisfiedAtLeast ? 1 : 0,
      },
    });
  }
  const result: Contributions = { cells: cells.filter((cell) => !isZero(cell.values)) };
  if (online) result.onlineService = { procedureCode: receipt.procedureCode, month: receivedDay.slice(0, 7) };
  return result;
}
