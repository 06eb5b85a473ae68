import type { Unit } from '../../schemas/registry.ts';
import type { CounterValues } from '../dossier/counters.ts';
import { addDays } from '../time.ts';
import type { ConnectionResult, Criteria, Reason } from './compliance.ts';
import type { Calendar } from './periods.ts';
import type { ReadPlan, UnitData } from './ports.ts';

/** One coverage share: null when there is nothing to measure, which never fails. */
export interface CoverageShare {
  value: number | null;
  numerator: number;
  denominator: number;
  threshold: number;
  /** What is missing (agency or procedure codes), the first `MISSING_LISTED` of them. */
  missing?: string[];
}

/** The "comprehensive" (toàn diện) criterion of one unit, published even where it passes. */
export interface Coverage {
  /** The window of days the agencies and the procedures are measured over, both ends included. */
  from: string;
  to: string;
  agencies: CoverageShare;
  procedures: CoverageShare;
  /** The due days measured: the window's length, ending the day before the grace that has to pass first. */
  closure: CoverageShare & { from: string; to: string };
}

/** Everything the coverage is measured on, read for the unit by the evaluation. */
export interface CoverageInput {
  /** The agencies the registry lists for the unit; empty when it lists none. */
  agencies: readonly string[];
  /** Per day, per agency, the counters read. */
  agencyDays: ReadonlyMap<string, ReadonlyMap<string, CounterValues>>;
  /** Per day, the unit's counters (the 90-day series). */
  unitDays: ReadonlyMap<string, CounterValues>;
  /** Each procedure's online level in the catalogue, or undefined without one. */
  levels: Readonly<Record<string, 'none' | 'partial' | 'full'>> | undefined;
  /** Online dossiers per procedure by month (`YYYY-MM`). */
  onlineByMonth: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export const MISSING_LISTED = 20;

/** The window's days, oldest first: `windowDays` days ending `today`. */
export function coverageDays(today: string, windowDays: number): string[] {
  return Array.from({ length: windowDays }, (_, i) => addDays(today, i - windowDays + 1));
}

/** The due days closure is measured over: `windowDays` days ending `graceDays + 1` days before today. */
export function closureDays(today: string, windowDays: number, graceDays: number): string[] {
  return coverageDays(addDays(today, -graceDays - 1), windowDays);
}

const share = (
  numerator: number,
  denominator: number,
  threshold: number,
  missing?: string[],
  judged = true,
): CoverageShare => ({
  value: judged && denominator > 0 ? numerator / denominator : null,
  numerator,
  denominator,
  threshold,
  ...(missing ? { missing: missing.slice(0, MISSING_LISTED) } : {}),
});

const active = (values: CounterValues | undefined): boolean =>
  values !== undefined && Object.values(values).some((v) => (v ?? 0) !== 0);

/**
 * The three coverage shares, by their definitions in docs/snapshots.md:
 * - agencies: listed agencies with any dossier counted on a day of the window, of those listed (null when the
 *   registry lists none, or when the window received fewer than `minDossiersPerItem` dossiers per agency);
 * - procedures: the catalogue's online procedures (partial or full) with an online dossier in a month the
 *   window touches, of those procedures (null without a catalogue that says levels, with none online, or
 *   when the window received fewer than `minDossiersPerItem` online dossiers per online procedure);
 * - closure: dossiers due on the closure days that reached an end status by the due date plus the grace, of
 *   the dossiers due then (null when none was due).
 */
export function coverageOf(
  input: CoverageInput,
  today: string,
  rule: Criteria['coverage'],
  graceDays: number,
): Coverage {
  const days = coverageDays(today, rule.windowDays);
  const sent = new Set(
    days.flatMap((day) =>
      [...(input.agencyDays.get(day) ?? new Map<string, CounterValues>())].flatMap(([code, values]) =>
        active(values) ? [code] : [],
      ),
    ),
  );
  const silentAgencies = input.agencies.filter((code) => !sent.has(code));
  const months = [...new Set(days.map((day) => day.slice(0, 7)))];
  const online = Object.entries(input.levels ?? {})
    .filter(([, level]) => level !== 'none')
    .map(([code]) => code)
    .sort();
  const withDossiers = (code: string): boolean =>
    months.some((month) => (input.onlineByMonth.get(code)?.get(month) ?? 0) > 0);
  const unusedProcedures = online.filter((code) => !withDossiers(code));
  const due = closureDays(today, rule.windowDays, graceDays);
  const sum = (name: keyof CounterValues, over: readonly string[] = due) =>
    over.reduce((total, day) => total + (input.unitDays.get(day)?.[name] ?? 0), 0);
  const enough = (dossiers: number, items: number): boolean => dossiers >= rule.minDossiersPerItem * items;
  return {
    from: days[0] ?? today,
    to: today,
    agencies: share(
      input.agencies.length - silentAgencies.length,
      input.agencies.length,
      rule.agencies.minShare,
      silentAgencies,
      enough(sum('received', days), input.agencies.length),
    ),
    procedures: share(
      online.length - unusedProcedures.length,
      online.length,
      rule.procedures.minShare,
      unusedProcedures,
      enough(sum('receivedOnline', days), online.length),
    ),
    closure: {
      ...share(sum('closureInGrace'), sum('closureDue'), rule.closure.minShare),
      from: due[0] ?? today,
      to: due.at(-1) ?? today,
    },
  };
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const below = (s: CoverageShare): boolean => s.value !== null && s.value < s.threshold - 1e-12;
const listed = (s: CoverageShare): string => {
  const codes = s.missing ?? [];
  const more = s.denominator - s.numerator - codes.length;
  return `${codes.join(', ')}${more > 0 ? ` (+${more})` : ''}`;
};

/** What the coverage fails on, naming what is missing; a null share fails nothing. */
export function coverageReasons(coverage: Coverage, windowDays: number, graceDays: number): Reason[] {
  const reasons: Reason[] = [];
  const { agencies, procedures, closure } = coverage;
  if (below(agencies)) {
    reasons.push({
      code: 'coverage_agencies_low',
      vi: `Chỉ ${agencies.numerator}/${agencies.denominator} cơ quan (${percent(agencies.value ?? 0)}) gửi hồ sơ trong ${windowDays} ngày, dưới mức ${percent(agencies.threshold)}; chưa gửi: ${listed(agencies)}.`,
      en: `Only ${agencies.numerator}/${agencies.denominator} agencies (${percent(agencies.value ?? 0)}) sent dossiers in ${windowDays} days, below ${percent(agencies.threshold)}; silent: ${listed(agencies)}.`,
    });
  }
  if (below(procedures)) {
    reasons.push({
      code: 'coverage_procedures_low',
      vi: `Chỉ ${procedures.numerator}/${procedures.denominator} thủ tục trực tuyến (${percent(procedures.value ?? 0)}) có hồ sơ trực tuyến trong ${windowDays} ngày, dưới mức ${percent(procedures.threshold)}; chưa có hồ sơ: ${listed(procedures)}.`,
      en: `Only ${procedures.numerator}/${procedures.denominator} online procedures (${percent(procedures.value ?? 0)}) had an online dossier in ${windowDays} days, below ${percent(procedures.threshold)}; without dossiers: ${listed(procedures)}.`,
    });
  }
  if (below(closure)) {
    reasons.push({
      code: 'coverage_closure_low',
      vi: `Chỉ ${closure.numerator}/${closure.denominator} hồ sơ đến hạn từ ${closure.from} đến ${closure.to} (${percent(closure.value ?? 0)}) có trạng thái kết thúc trong hạn cộng ${graceDays} ngày, dưới mức ${percent(closure.threshold)}.`,
      en: `Only ${closure.numerator}/${closure.denominator} dossiers due from ${closure.from} to ${closure.to} (${percent(closure.value ?? 0)}) reached an end status by their due date plus ${graceDays} day(s), below ${percent(closure.threshold)}.`,
    });
  }
  return reasons;
}

/** The coverage of one unit from what the evaluation read for it. */
export function unitCoverage(
  unit: Unit,
  data: UnitData,
  cal: Calendar,
  criteria: Criteria,
  graceDays: number,
): Coverage {
  const onlineByMonth = new Map<string, Map<string, number>>();
  const addServices = (year: string, services: UnitData['services']) => {
    for (const service of services) {
      const months = onlineByMonth.get(service.procedureCode) ?? new Map<string, number>();
      for (const [month, count] of Object.entries(service.months)) {
        const key = `${year}-${month}`;
        months.set(key, (months.get(key) ?? 0) + count);
      }
      onlineByMonth.set(service.procedureCode, months);
    }
  };
  addServices(cal.year, data.services);
  if (data.servicesYearBefore) addServices(String(Number(cal.year) - 1), data.servicesYearBefore);
  return coverageOf(
    {
      agencies: unit.agencies.map((a) => a.agencyCode),
      agencyDays: data.agencyDays,
      unitDays: data.unitDays,
      levels: data.catalog?.levels,
      onlineByMonth,
    },
    cal.today,
    criteria.coverage,
    graceDays,
  );
}

/**
 * The read plan, widened to what coverage needs: the agency counters of every day of the window (one Query per
 * day not already read) and, when the window reaches into the previous year, that year's online services (one
 * Query). Closure needs nothing more: its due days are within the 90-day series already read.
 */
export function withCoverageReads(plan: ReadPlan, cal: Calendar, windowDays: number): ReadPlan {
  const days = coverageDays(cal.today, windowDays);
  const firstYear = (days[0] ?? cal.today).slice(0, 4);
  return {
    ...plan,
    agencyDays: [...new Set([...plan.agencyDays, ...days])].sort(),
    ...(firstYear < cal.year ? { servicesYearBefore: firstYear } : {}),
  };
}

/** The connection verdict with coverage applied: a unit below a threshold is at most partial. */
export function withCoverage(
  result: ConnectionResult,
  coverage: Coverage,
  windowDays: number,
  graceDays: number,
): ConnectionResult {
  // Coverage is judged for the API's units; a legacy sender cannot say what it would take (due dates,
  // levels), and one never connected has nothing to cover. Its shares are published all the same.
  if (result.criteria.sender !== null || result.status === 'never_connected') return { ...result, coverage };
  const reasons = coverageReasons(coverage, windowDays, graceDays);
  const applied = { ...result.criteria, applied: [...result.criteria.applied, 'coverage'] };
  if (reasons.length === 0) return { ...result, criteria: applied, coverage };
  return {
    ...result,
    status: result.status === 'connected' ? 'partial' : result.status,
    reasons: [...result.reasons, ...reasons],
    criteria: applied,
    coverage,
  };
}
