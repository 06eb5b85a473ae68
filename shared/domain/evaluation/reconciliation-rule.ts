import type { Reason } from './compliance.ts';

/** One day a unit reported totals for: each figure as the unit reported it and as the pipeline counted it. */
export interface ReportedDay {
  date: string;
  figures: Record<string, { reported: number; counted: number }>;
}

export interface ReconciliationRule {
  /** Whether a unit must post daily totals at all; by default it may (the contract says "may"). */
  required: boolean;
  /** The relative part of the tolerance, a share of the larger of the two figures. */
  tolerance: number;
  /** The absolute floor of the tolerance, in dossiers, so a small unit is not failed for one dossier. */
  absoluteTolerance: number;
}

/**
 * A figure reconciles when the two numbers differ by at most the floor plus the relative part of the larger:
 * 40 dossiers a day may be off by 2.4 (2 + 1%), 10,000 by 102, never by hundreds.
 */
export function withinTolerance(reported: number, counted: number, rule: ReconciliationRule): boolean {
  const allowed = rule.absoluteTolerance + rule.tolerance * Math.max(reported, counted);
  return Math.abs(reported - counted) <= allowed + 1e-9;
}

/** The days a unit reported whose figures differ beyond the tolerance. */
export function mismatchedDays(days: readonly ReportedDay[], rule: ReconciliationRule): string[] {
  return days
    .filter((day) =>
      Object.values(day.figures).some(({ reported, counted }) => !withinTolerance(reported, counted, rule)),
    )
    .map((day) => day.date);
}

/** Each figure beyond the tolerance, with both values, day by day: what the unit needs to find the gap. */
export function mismatchedFigures(
  days: readonly ReportedDay[],
  rule: ReconciliationRule,
): { date: string; figure: string; reported: number; counted: number }[] {
  return days.flatMap((day) =>
    Object.entries(day.figures)
      .filter(([, { reported, counted }]) => !withinTolerance(reported, counted, rule))
      .map(([figure, values]) => ({ date: day.date, figure, ...values })),
  );
}

const tolerance = (rule: ReconciliationRule, lang: 'vi' | 'en'): string =>
  lang === 'vi'
    ? `${rule.absoluteTolerance} hồ sơ cộng ${(rule.tolerance * 100).toFixed(1)}%`
    : `${rule.absoluteTolerance} dossier(s) plus ${(rule.tolerance * 100).toFixed(1)}%`;

/**
 * The reconciliation criterion (đối soát):
 * - no totals posted in the lookback fails only where totals are required;
 * - posted totals that differ beyond the tolerance fail, naming the days;
 * - once a unit posts totals, every day of the lookback on which dossiers were counted and that it did not
 *   report is unreconciled too: a unit does not get to pick its days.
 */
export function reconciliationReasons(
  reported: readonly ReportedDay[],
  activeDays: readonly string[],
  rule: ReconciliationRule,
): Reason[] {
  if (reported.length === 0) {
    return rule.required
      ? [
          {
            code: 'reconciliation_missing',
            vi: 'Chưa gửi số liệu đối soát.',
            en: 'No daily totals were sent for reconciliation.',
          },
        ]
      : [];
  }
  const reasons: Reason[] = [];
  const off = mismatchedDays(reported, rule);
  if (off.length > 0) {
    const figures = mismatchedFigures(reported, rule);
    const list = (said: string, counted: string): string =>
      figures.map((f) => `${f.date} ${f.figure} ${said} ${f.reported}, ${counted} ${f.counted}`).join('; ');
    reasons.push({
      code: 'reconciliation_mismatch',
      vi: `Số liệu đối soát lệch quá ${tolerance(rule, 'vi')} ở ${off.length} ngày (${off.join(', ')}): ${list('báo cáo', 'đã tính')}.`,
      en: `Reported totals differ from counted figures by more than ${tolerance(rule, 'en')} on ${off.length} day(s) (${off.join(', ')}): ${list('reported', 'counted')}.`,
    });
  }
  const dates = new Set(reported.map((day) => day.date));
  const unreported = activeDays.filter((day) => !dates.has(day));
  if (unreported.length > 0) {
    reasons.push({
      code: 'reconciliation_unreported',
      vi: `Chưa gửi số liệu đối soát cho ${unreported.length} ngày có hồ sơ (${unreported.join(', ')}).`,
      en: `No daily totals for ${unreported.length} day(s) with dossiers (${unreported.join(', ')}).`,
    });
  }
  return reasons;
}
