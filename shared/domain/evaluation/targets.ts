import type { Settings } from '../../config/settings.ts';
import type { KpiTargets, TargetValue } from '../../schemas/registry.ts';
import type { Kpis, TargetResult } from '../../schemas/snapshot.ts';

/** Where a figure's target came from, highest precedence first. */
export const TARGET_SOURCES = [
  'agency',
  'unit_level',
  'national_level',
  'unit_default',
  'national_default',
] as const;
export type TargetSource = (typeof TARGET_SOURCES)[number];

/** A target resolved for one figure: its lower bound (what must be reached), its upper bound, and its source. */
export interface ResolvedTarget {
  min: number;
  max: number | null;
  source: TargetSource;
}

export type ResolvedTargets = Record<string, ResolvedTarget>;

/** What an agency (or a unit, without `level`) brings to the precedence. */
export interface TargetScope {
  /** The agency's own targets. */
  agency?: KpiTargets | undefined;
  /** The agency's level (department, district, commune…); none for a unit's own row. */
  level?: string | undefined;
  /** The unit's targets per agency level. */
  unitByLevel?: Readonly<Record<string, KpiTargets>> | undefined;
  /** The unit's default targets. */
  unitDefault?: KpiTargets | undefined;
}

function bounds(value: TargetValue): { min: number; max: number | null } {
  return typeof value === 'number' ? { min: value, max: null } : { min: value.min, max: value.max };
}

/**
 * Each figure's target, taken from the first of these that sets it: the agency's own target, the unit's
 * target for the agency's level, the national target for that level, the unit's default, the national
 * default. A commune thus gets the commune target its province set, not the province's own.
 */
export function resolveTargets(config: Settings, scope: TargetScope = {}): ResolvedTargets {
  const layers: [TargetSource, KpiTargets | undefined][] = [
    ['agency', scope.agency],
    ['unit_level', scope.level === undefined ? undefined : scope.unitByLevel?.[scope.level]],
    ['national_level', scope.level === undefined ? undefined : config.targets.byAgencyLevel[scope.level]],
    ['unit_default', scope.unitDefault],
    ['national_default', config.targets.default],
  ];
  const out: ResolvedTargets = {};
  for (const [source, targets] of layers) {
    for (const [name, value] of Object.entries(targets ?? {})) {
      if (value === undefined || out[name]) continue;
      out[name] = { ...bounds(value), source };
    }
  }
  return out;
}

export type TargetPeriod = 'monthToDate' | 'quarterToDate' | 'yearToDate';
export const TARGET_PERIODS: readonly TargetPeriod[] = ['monthToDate', 'quarterToDate', 'yearToDate'];

/**
 * Attainment of each target for month, quarter and year to date. A target is met when the figure reaches
 * its lower bound; `withinRange` says whether it also stays at or under the upper bound of a range. A figure
 * that is not applicable neither meets nor misses. `actual` and `met` at the top are the year to date.
 */
export function targetResults(
  figures: Readonly<Record<TargetPeriod, Kpis>>,
  targets: ResolvedTargets,
): Record<string, TargetResult> {
  const out: Record<string, TargetResult> = {};
  for (const [name, target] of Object.entries(targets)) {
    const judged = (period: TargetPeriod) => {
      const value = figures[period][name as keyof Kpis];
      const actual = typeof value === 'number' ? value : null;
      return {
        actual,
        met: actual === null ? null : actual >= target.min,
        withinRange:
          actual === null || target.max === null ? null : actual >= target.min && actual <= target.max,
      };
    };
    const periods = Object.fromEntries(TARGET_PERIODS.map((p) => [p, judged(p)])) as TargetResult['periods'];
    out[name] = {
      target: target.min,
      targetMax: target.max,
      source: target.source,
      actual: periods.yearToDate.actual,
      met: periods.yearToDate.met,
      periods,
    };
  }
  return out;
}
