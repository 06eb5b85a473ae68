import { ENV } from '../shared/config/env-names.ts';
import { type Hold, listHolds, settleHold } from '../shared/domain/evaluation/holds.ts';
import { evaluationDeps } from '../shared/runtime/evaluation-wiring.ts';
import { CliError, type Target } from './context.ts';
import { evaluationAlerts } from './evaluate-alerts.ts';

/**
 * `emc alerts list|release <holdId>|drop <holdId>`: the alerts an evaluation held because too many units
 * changed at once. Release sends them through the same topic as the evaluation (or the local alert log).
 */
export async function alertsCommand(
  target: Target,
  sub: string | undefined,
  holdId: string | undefined,
  now: number,
): Promise<Hold[] | { holdId: string; action: 'release' | 'drop'; alerts: number; sent: number }> {
  const deps = evaluationDeps(
    { [ENV.stateTable]: target.tables.state, [ENV.snapshotBucket]: target.bucket },
    (s3) => evaluationAlerts(target, s3),
  );
  if (!sub || sub === 'list') return listHolds(deps.statuses);
  if (sub !== 'release' && sub !== 'drop')
    throw new CliError(`alerts takes list, release or drop, not ${sub}`);
  if (!holdId)
    throw new CliError(`alerts ${sub} needs a hold id: emc alerts ${sub} hold-2026-11-17T05:15:00.000Z`);
  return settleHold({ statuses: deps.statuses, alerts: deps.alerts, now }, holdId, sub);
}
