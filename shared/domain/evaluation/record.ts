import type { Settings } from '../../config/settings.ts';
import type { Unit } from '../../schemas/registry.ts';
import type { Predecessor } from '../registry/lifecycle.ts';
import { reminderAlert, statusAlert } from './alerts.ts';
import type { ConnectionResult, Criteria } from './compliance.ts';
import type { StatusRecord, StatusStorePort, UnitData } from './ports.ts';
import type { ConnectionSignals } from './signals.ts';
import type { Decision } from './status-machine.ts';

/** One unit judged, before anything is written: what was read, the verdict and the decision. */
export interface Judged {
  unit: Unit;
  predecessors: Predecessor[];
  data: UnitData;
  signals: ConnectionSignals;
  previous: StatusRecord | undefined;
  result: ConnectionResult;
  criteria: Criteria;
  held: 'paused' | 'maintenance' | null;
  decision: Decision;
}

/**
 * Writes a decision: a change or a pending count conditionally on the version read (with its alert, kept
 * under `holdId` when the evaluation holds alerts), or a reminder. Returns the record as it now stands and
 * whether this evaluation recorded a change.
 */
export async function recordDecision(
  statuses: StatusStorePort,
  judged: Judged,
  holdId: string | undefined,
  times: { at: number; now: number },
): Promise<{ record: StatusRecord | undefined; changed: boolean }> {
  const { unit, previous, decision, result } = judged;
  const { at, now } = times;
  if ((decision.write === 'transition' || decision.write === 'pending') && decision.next) {
    const alert =
      decision.alert?.kind === 'status_change'
        ? statusAlert(unit, decision.alert.from, decision.alert.to, result.reasons, at, now)
        : undefined;
    if (await statuses.transition(unit.unitCode, previous?.version ?? 0, decision.next, alert, holdId))
      return { record: decision.next, changed: decision.write === 'transition' };
    return { record: (await statuses.get(unit.unitCode)) ?? decision.next, changed: false };
  }
  if (decision.write === 'reminder' && previous) {
    await statuses.claimReminder(
      unit.unitCode,
      previous.version,
      previous.lastReminderAt,
      at,
      reminderAlert(unit, previous, result.reasons, at, now),
    );
  }
  return { record: decision.next, changed: false };
}

/** The settings a decision reads, for `decide`. */
export function statusRules(
  config: Settings,
  criteria: Criteria,
): { reminderEveryMs: number; confirmations: number } {
  return {
    reminderEveryMs: config.alerts.reminderEveryHours * 3_600_000,
    confirmations: criteria.stability.confirmations,
  };
}
