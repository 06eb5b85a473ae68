import type { QueuedEvent } from '../../schemas/queue.ts';
import { COUNTERS, type CounterValues } from '../dossier/counters.ts';
import { addContributions, emptyDelta } from '../dossier/delta.ts';
import { counterTargets, serviceTargets } from '../dossier/rollup.ts';
import {
  type Contributions,
  contributions,
  type DossierRules,
  type DossierState,
  merge,
} from '../dossier/state.ts';
import { addDays } from '../time.ts';

/**
 * Rebuilding a unit's counters from the raw archive. The archive holds every event the unit sent; folding
 * them through the same lattice the workers use gives each dossier's state, and summing the dossiers'
 * contributions gives the counters, independent of whatever the live counters went through.
 */

/** Counters are rolled up by month, so a rebuild covers whole months: the range is widened to them. */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from.slice(0, 7); month <= to.slice(0, 7); ) {
    months.push(month);
    const [year = 0, m = 0] = month.split('-').map(Number);
    month = m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
  }
  return months;
}

export function daysOf(months: readonly string[]): string[] {
  return months.flatMap((month) => {
    const days: string[] = [];
    for (let day = `${month}-01`; day.startsWith(month); day = addDays(day, 1)) days.push(day);
    return days;
  });
}

export function foldEvents(
  states: Map<string, DossierState>,
  events: Iterable<QueuedEvent>,
  rules: DossierRules,
): void {
  for (const event of events) {
    const before = states.get(event.dossierCode) ?? {};
    const after = merge(before, event, rules);
    if (after !== before) states.set(event.dossierCode, after);
  }
}

/** One counter item: `period` is a day or a month, `agencyCode` undefined for the unit total. */
export interface CounterRow {
  period: string;
  agencyCode: string | undefined;
  values: CounterValues;
}

export interface RebuiltCounters {
  rows: Map<string, CounterRow>;
  /** `year|procedureCode` → month number (`MM`) → online dossiers, for the months rebuilt. */
  services: Map<string, Record<string, number>>;
}

export const rowId = (period: string, agencyCode: string | undefined): string =>
  `${period}|${agencyCode ?? ''}`;

/** The counters of the given months, from dossier states alone. */
export function countersFrom(
  states: Iterable<DossierState>,
  months: readonly string[],
  rules: DossierRules,
  dayOf: (ms: number) => string,
): RebuiltCounters {
  const delta = emptyDelta();
  for (const state of states) addContributions(delta, contributions(state, rules, dayOf), 1);
  const wanted = new Set(months);
  const rows = new Map<string, CounterRow>();
  for (const target of counterTargets(delta)) {
    if (!wanted.has(target.period.slice(0, 7))) continue;
    rows.set(rowId(target.period, target.agencyCode), { ...target });
  }
  const services = new Map<string, Record<string, number>>();
  for (const target of serviceTargets(delta)) {
    const months: Record<string, number> = {};
    for (const [month, count] of Object.entries(target.months))
      if (wanted.has(`${target.year}-${month}`)) months[month] = count;
    if (Object.keys(months).length > 0) services.set(`${target.year}|${target.procedureCode}`, months);
  }
  return { rows, services };
}

export interface CounterDifference {
  /** `C#…` counter row (`period`, agency or unit) or an online-services cell (`year|procedure`, month). */
  kind: 'counter' | 'service';
  period: string;
  agencyCode: string | null;
  procedureCode: string | null;
  counter: string;
  live: number;
  rebuilt: number;
}

/** Every figure where live and rebuilt differ; an empty list means the live counters are exact. */
export function compareCounters(live: RebuiltCounters, rebuilt: RebuiltCounters): CounterDifference[] {
  const out: CounterDifference[] = [];
  for (const id of new Set([...live.rows.keys(), ...rebuilt.rows.keys()])) {
    const a = live.rows.get(id);
    const b = rebuilt.rows.get(id);
    const row = (a ?? b) as CounterRow;
    for (const counter of COUNTERS) {
      const liveValue = a?.values[counter] ?? 0;
      const rebuiltValue = b?.values[counter] ?? 0;
      if (liveValue !== rebuiltValue)
        out.push({
          kind: 'counter',
          period: row.period,
          agencyCode: row.agencyCode ?? null,
          procedureCode: null,
          counter,
          live: liveValue,
          rebuilt: rebuiltValue,
        });
    }
  }
  for (const id of new Set([...live.services.keys(), ...rebuilt.services.keys()])) {
    const [year = '', procedureCode = ''] = id.split('|');
    const a = live.services.get(id) ?? {};
    const b = rebuilt.services.get(id) ?? {};
    for (const month of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if ((a[month] ?? 0) !== (b[month] ?? 0))
        out.push({
          kind: 'service',
          period: `${year}-${month}`,
          agencyCode: null,
          procedureCode,
          counter: 'onlineDossiers',
          live: a[month] ?? 0,
          rebuilt: b[month] ?? 0,
        });
    }
  }
  return out.sort(
    (x, y) =>
      x.kind.localeCompare(y.kind) ||
      x.period.localeCompare(y.period) ||
      (x.agencyCode ?? '').localeCompare(y.agencyCode ?? '') ||
      (x.procedureCode ?? '').localeCompare(y.procedureCode ?? '') ||
      x.counter.localeCompare(y.counter),
  );
}

/** Same state, whatever order its fields were written in. */
export function sameState(a: DossierState | undefined, b: DossierState | undefined): boolean {
  const canonical = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)))
        : v,
    );
  return canonical(a ?? {}) === canonical(b ?? {});
}

/**
 * The months outside `months` in which the given contributions count, sorted. A swap replaces a dossier's
 * state everywhere but its counters only in the months rebuilt, so a dossier that counted, or will count, in
 * another month would leave that month's counters off by its difference.
 */
export function monthsOutside(touched: Iterable<Contributions>, months: readonly string[]): string[] {
  const inRange = new Set(months);
  const outside = new Set<string>();
  for (const contribution of touched) {
    const counted = contribution.cells.map((cell) => cell.day.slice(0, 7));
    if (contribution.onlineService) counted.push(contribution.onlineService.month);
    for (const month of counted) if (!inRange.has(month)) outside.add(month);
  }
  return [...outside].sort();
}
