import type { ConnectionStatus } from '../../schemas/snapshot.ts';
import type { StatusRecord } from './ports.ts';

/** What one evaluation concluded about a unit, before it is recorded. */
export interface Verdict {
  status: ConnectionStatus;
  reasonCodes: string[];
}

/** The alert a decision calls for; its text is written in `alerts.ts`. */
export type AlertIntent =
  | { kind: 'status_change'; from: ConnectionStatus | undefined; to: ConnectionStatus }
  | { kind: 'reminder' };

/**
 * What to record:
 * - `transition`: a confirmed change (or a unit's first verdict), replacing the record;
 * - `pending`: the same status, with the count of evaluations that saw another one started, raised or
 *   cleared;
 * - `reminder`: a reminder claimed on the unchanged record;
 * - `none`: nothing.
 * Every write but `none` is conditional on `previous`'s version.
 */
export interface Decision {
  write: 'transition' | 'pending' | 'reminder' | 'none';
  next: StatusRecord | undefined;
  alert: AlertIntent | null;
}

export interface StatusRules {
  /** How often a unit that stays not connected is reminded of it. */
  reminderEveryMs: number;
  /** Consecutive evaluations that must agree on a new status before it is recorded (1: at once). */
  confirmations: number;
}

/** Status changes kept per unit. */
export const HISTORY_KEPT = 50;

/**
 * The status machine, pure: from the recorded status and this evaluation's verdict, the next record and the
 * alert it calls for.
 * - A unit's first verdict is recorded at once, without an alert: the digest reports it.
 * - A different status is recorded only once `confirmations` evaluations in a row agree on it, as of the
 *   first of them; one evaluation that disagrees starts the count again. So a verdict does not flap.
 * - A recorded change is alerted once; a unit whose alerts are held (paused, maintenance) changes silently.
 * - An unchanged failure is reminded every `reminderEveryMs`.
 */
export function decide(
  previous: StatusRecord | undefined,
  verdict: Verdict,
  held: 'paused' | 'maintenance' | null,
  at: number,
  rules: StatusRules,
): Decision {
  // A unit's first verdict goes into the digest, not into an alert of its own.
  if (!previous) return { ...change(undefined, verdict, at, held), alert: null };
  if (previous.status !== verdict.status) {
    const count = previous.pending?.status === verdict.status ? previous.pending.count + 1 : 1;
    const since = count > 1 && previous.pending ? previous.pending.since : at;
    if (count >= rules.confirmations) return change(previous, verdict, since, held);
    return {
      write: 'pending',
      next: {
        ...previous,
        version: previous.version + 1,
        pending: { status: verdict.status, reasonCodes: verdict.reasonCodes, since, count },
      },
      alert: null,
    };
  }
  if (previous.pending) {
    const { pending: _cleared, ...rest } = previous;
    return { write: 'pending', next: { ...rest, version: previous.version + 1 }, alert: null };
  }
  const reminderDue =
    verdict.status !== 'connected' &&
    !held &&
    at - (previous.lastReminderAt ?? previous.since) >= rules.reminderEveryMs;
  if (reminderDue) return { write: 'reminder', next: previous, alert: { kind: 'reminder' } };
  return { write: 'none', next: previous, alert: null };
}

function change(
  previous: StatusRecord | undefined,
  verdict: Verdict,
  since: number,
  held: 'paused' | 'maintenance' | null,
): Decision {
  const next: StatusRecord = {
    status: verdict.status,
    reasonCodes: verdict.reasonCodes,
    since,
    version: (previous?.version ?? 0) + 1,
    lastReminderAt: undefined,
    history: [
      ...(previous?.history ?? []),
      { status: verdict.status, since, reasons: verdict.reasonCodes },
    ].slice(-HISTORY_KEPT),
  };
  const alert: AlertIntent | null = held
    ? null
    : { kind: 'status_change', from: previous?.status, to: verdict.status };
  return { write: 'transition', next, alert };
}

/**
 * Whether this evaluation's status changes are too many to be the units' own: above `share` of the units
 * evaluated, and at least `minUnits`. An ingest outage lapses every heartbeat at once; forty provinces do not
 * fail in the same minute.
 */
export function isMassChange(
  changed: number,
  evaluated: number,
  rule: { share: number; minUnits: number },
): boolean {
  return changed >= rule.minUnits && changed > rule.share * evaluated;
}
