import { COUNTERS, type CounterValues } from './counters.ts';
import type { UnitDelta } from './delta.ts';

/** One counter a delta changes: an agency's or the unit's total, for a day or a month. */
export interface CounterTarget {
  period: string;
  /** The agency code, or undefined for the unit total. */
  agencyCode: string | undefined;
  values: CounterValues;
}

export interface ServiceTarget {
  year: string;
  month: string;
  procedureCode: string;
  count: number;
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

export function serviceTargets(delta: UnitDelta): ServiceTarget[] {
  return [...delta.services]
    .filter(([, count]) => count !== 0)
    .map(([key, count]) => {
      const [month = '', procedureCode = ''] = key.split('|');
      return { year: month.slice(0, 4), month, procedureCode, count };
    });
}

/** How many counter items folding this delta writes. */
export function footprint(delta: UnitDelta): number {
  return counterTargets(delta).length + serviceTargets(delta).length;
}
