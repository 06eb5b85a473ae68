import { drainAlerts } from './alerts.ts';
import type { AlertPort, StatusStorePort } from './ports.ts';

/** A hold and its alerts, as an operator lists them. */
export interface Hold {
  holdId: string;
  alerts: { alertId: string; unitCode: string | null; subject: string }[];
}

/** Every hold with alerts still kept under it, oldest first. */
export async function listHolds(statuses: StatusStorePort): Promise<Hold[]> {
  const byHold = new Map<string, Hold>();
  for (const { holdId, alert } of await statuses.heldAlerts()) {
    const hold = byHold.get(holdId) ?? { holdId, alerts: [] };
    hold.alerts.push({ alertId: alert.alertId, unitCode: alert.unitCode, subject: alert.subject });
    byHold.set(holdId, hold);
  }
  return [...byHold.values()].sort((a, b) => a.holdId.localeCompare(b.holdId));
}

/** Thrown when an operator names a hold that keeps no alert (already settled, or mistyped). */
export class UnknownHoldError extends Error {
  override readonly name = 'UnknownHoldError';
}

/**
 * Settles a hold once its cause is known: `release` sends its alerts now (the units did change), `drop`
 * deletes them (the monitoring failed, not the units). Statuses are never touched: they were recorded.
 */
export async function settleHold(
  deps: { statuses: StatusStorePort; alerts: AlertPort; now: number },
  holdId: string,
  action: 'release' | 'drop',
): Promise<{ holdId: string; action: 'release' | 'drop'; alerts: number; sent: number }> {
  const count = await deps.statuses.settleHold(holdId, action);
  if (count === 0) throw new UnknownHoldError(`no alert is held under ${holdId}; see emc alerts list`);
  const sent = action === 'release' ? await drainAlerts(deps) : 0;
  return { holdId, action, alerts: count, sent };
}
