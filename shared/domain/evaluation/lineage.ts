import { addInto, type CounterValues } from '../dossier/counters.ts';
import { agencyPasses, type Predecessor } from '../registry/lifecycle.ts';
import type { EvaluationReadPort, ReadPlan, UnitData } from './ports.ts';

function addSeries(target: Map<string, CounterValues>, source: Map<string, CounterValues>): void {
  for (const [period, values] of source) {
    const sum = { ...(target.get(period) ?? {}) };
    addInto(sum, values);
    target.set(period, sum);
  }
}

function addByAgency(
  target: Map<string, Map<string, CounterValues>>,
  source: Map<string, Map<string, CounterValues>>,
): void {
  for (const [period, agencies] of source) {
    const into = target.get(period) ?? new Map<string, CounterValues>();
    addSeries(into, agencies);
    target.set(period, into);
  }
}

/**
 * Adds a predecessor's figures to its successor's. Connection signals stay the successor's own: a merged
 * unit's figures move, its systems do not. Online services and self-reported totals are not kept per
 * agency, so they follow only the part of a split that takes the rest.
 */
export function addPredecessorFigures(target: UnitData, source: UnitData, whole: boolean): void {
  addSeries(target.unitDays, source.unitDays);
  addSeries(target.unitMonths, source.unitMonths);
  addByAgency(target.agencyDays, source.agencyDays);
  addByAgency(target.agencyMonths, source.agencyMonths);
  if (!whole) return;
  const services = new Map(target.services.map((s) => [s.procedureCode, { ...s.months }]));
  for (const service of source.services) {
    const months = services.get(service.procedureCode) ?? {};
    for (const [month, count] of Object.entries(service.months)) months[month] = (months[month] ?? 0) + count;
    services.set(service.procedureCode, months);
  }
  target.services = [...services].map(([procedureCode, months]) => ({ procedureCode, months }));
  const totals = new Map(target.dailyTotals.map((day) => [day.date, { ...day }]));
  for (const day of source.dailyTotals) {
    const sum = totals.get(day.date);
    if (!sum) totals.set(day.date, { ...day });
    else {
      sum.reportedAt = Math.max(sum.reportedAt, day.reportedAt);
      sum.received += day.received;
      sum.receivedOnline += day.receivedOnline;
      sum.resolved += day.resolved;
      sum.resolvedOnTime += day.resolvedOnTime;
    }
  }
  target.dailyTotals = [...totals.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** A unit's data with the figures of every unit merged or split into it by the plan's day (its lineage). */
export async function readWithPredecessors(
  reader: EvaluationReadPort,
  unitCode: string,
  predecessors: readonly Predecessor[],
  plan: ReadPlan,
): Promise<UnitData> {
  const data = await reader.readUnit(unitCode, plan);
  for (const predecessor of predecessors) {
    const filters = predecessor.filters;
    const source = await reader.readUnit(
      predecessor.unitCode,
      plan,
      filters.length === 0 ? undefined : (agency) => agencyPasses(filters, agency),
    );
    addPredecessorFigures(data, source, predecessor.services);
  }
  return data;
}
