import { COUNTERS, type CounterValues } from './counters.ts';
import type { UnitDelta } from './delta.ts';

/** One counter a delta changes: an agency's or the unit's total, for a day or a month. */
export interface CounterTarget {
  period: string;
  /** The agency code, or undefined for the unit total. */
  agencyCode: string | undefined;
  values: CounterValues;
}

/** One online-services item a delta changes: a procedure's year, with the change per month (`"01"`…`"12"`). */
export interface ServiceTarget {
  year: string;
  procedureCode: string;
  months: Record<string, number>;
}

/**
 * Each (day, agency) cell rolls up into four counters: the agency and the unit, by day and by month. Month,
 * quarter and year figures then cost one read per month, never one per day.
 */
export function counterTargets(delta: UnitDelta): CounterTarget[] {
  const targets = new Map<string, CounterTarget>();
  for (const [cell, values] of delta.cells) {
    const [day = '', agency = ''] = cell.split('|');
    for (const period of [day, day.slice(0, 7)]) {
      for (const agencyCode of [agency, undefined]) {
        const id = `${period}|${agencyCode ?? ''}`;
        const target = targets.get(id) ?? { period, agencyCode, values: {} };
        for (const name of COUNTERS) {
          const value = values[name];
          if (value) target.values[name] = (target.values[name] ?? 0) + value;
        }
        targets.set(id, target);
      }
    }
  }
  return [...targets.values()].filter((target) => COUNTERS.some((name) => target.values[name]));
}

/**
 * Online-service changes grouped by the item they land in: one per (year, procedure), however many months of
 * that year the delta touches. A transaction may name an item only once, so a delta that spans a month
 * boundary must still write each year's item once.
 */
export function serviceTargets(delta: UnitDelta): ServiceTarget[] {
  const targets = new Map<string, ServiceTarget>();
  for (const [key, count] of delta.services) {
    if (count === 0) continue;
    const [month = '', procedureCode = ''] = key.split('|');
    const year = month.slice(0, 4);
    const id = `${year}|${procedureCode}`;
    const target = targets.get(id) ?? { year, procedureCode, months: {} };
    const monthOfYear = month.slice(5, 7);
    target.months[monthOfYear] = (target.months[monthOfYear] ?? 0) + count;
    targets.set(id, target);
  }
  return [...targets.values()];
}

/** How many counter items folding this delta writes. */
export function footprint(delta: UnitDelta): number {
  return counterTargets(delta).length + serviceTargets(delta).length;
}
