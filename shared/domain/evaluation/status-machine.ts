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
 * What to record: `transition` replaces the record (conditional on `previous`'s version), `reminder` claims a
 * reminder on the unchanged record, `none` writes nothing.
 */
export interface Decision {
  write: 'transition' | 'reminder' | 'none';
  next: StatusRecord | undefined;
  alert: AlertIntent | null;
}

export interface StatusRules {
  /** How often a unit that stays not connected is reminded of it. */
  reminderEveryMs: number;
}

const HISTORY_KEPT = 50;

/**
 * The status machine, pure: from the recorded status and this evaluation's verdict, the next record and the
 * alert it calls for. A change is recorded and alerted once; an unchanged failure is reminded every
 * `reminderEveryMs`; a unit whose alerts are held (paused, maintenance) changes status silently.
 */
export function decide(
  previous: StatusRecord | undefined,
  verdict: Verdict,
  held: 'paused' | 'maintenance' | null,
  at: number,
  rules: StatusRules,
): Decision {
  if (!previous || previous.status !== verdict.status) {
    const next: StatusRecord = {
      status: verdict.status,
      reasonCodes: verdict.reasonCodes,
      since: at,
      version: (previous?.version ?? 0) + 1,
      lastReminderAt: undefined,
      history: [
        ...(previous?.history ?? []),
        { status: verdict.status, since: at, reasons: verdict.reasonCodes },
      ].slice(-HISTORY_KEPT),
    };
    const alert: AlertIntent | null = held
      ? null
      : { kind: 'status_change', from: previous?.status, to: verdict.status };
    return { write: 'transition', next, alert };
  }
  const reminderDue =
    verdict.status !== 'connected' &&
    !held &&
    at - (previous.lastReminderAt ?? previous.since) >= rules.reminderEveryMs;
  if (reminderDue) return { write: 'reminder', next: previous, alert: { kind: 'reminder' } };
  return { write: 'none', next: previous, alert: null };
}
