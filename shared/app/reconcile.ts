import { readWithPredecessors } from '../domain/evaluation/lineage.ts';
import type { EvaluationReadPort, RegistryPort } from '../domain/evaluation/ports.ts';
import { type ReconciliationRow, reconcile } from '../domain/operations/reconciliation.ts';
import { predecessorsOn } from '../domain/registry/lifecycle.ts';

export interface ReconcileDeps {
  reader: EvaluationReadPort;
  registry: RegistryPort;
  /** `compliance.reconciliation.tolerance`: how far a reported figure may stray from the counted one. */
  tolerance: number;
}

/**
 * The đối soát rows of a unit over `days` (consecutive, oldest first): each day and figure, reported
 * against counted. A successor is reconciled with the figures it carries, as the evaluation does.
 */
export async function reconcileUnit(
  deps: ReconcileDeps,
  unitCode: string,
  days: readonly string[],
  asOf: number,
): Promise<ReconciliationRow[]> {
  const from = days[0] ?? '';
  const to = days.at(-1) ?? '';
  const predecessors = predecessorsOn(await deps.registry.listUnits(), to).get(unitCode);
  const data = await readWithPredecessors(deps.reader, unitCode, predecessors ?? [], {
    asOf,
    unitDays: [...days],
    unitMonths: [],
    agencyDays: [],
    agencyMonths: [],
    year: to.slice(0, 4),
    totalsFrom: from,
    totalsTo: to,
  });
  return reconcile(unitCode, days, data.dailyTotals, data.unitDays, deps.tolerance);
}
