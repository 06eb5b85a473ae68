import type { CounterValues } from '../dossier/counters.ts';
import type { UnitData } from '../evaluation/ports.ts';

export const RECONCILED_FIGURES = ['received', 'receivedOnline', 'resolved', 'resolvedOnTime'] as const;
export type ReconciledFigure = (typeof RECONCILED_FIGURES)[number];

/** A day's totals as the unit reported them: the shape the evaluation reads. */
export type ReportedDay = UnitData['dailyTotals'][number];

export interface ReconciliationRow {
  unitCode: string;
  date: string;
  figure: ReconciledFigure;
  reported: number | null;
  counted: number;
  difference: number | null;
  /** |difference| / max(reported, counted); null when nothing was reported, 0 when both are 0. */
  relativeDifference: number | null;
  withinTolerance: boolean | null;
}

/**
 * The đối soát report: for each unit, day and figure, what the unit reported against what the pipeline
 * counted. A day with counted dossiers but no report shows `reported: null`, so missing reports stand out.
 */
export function reconcile(
  unitCode: string,
  days: readonly string[],
  reported: readonly ReportedDay[],
  counted: ReadonlyMap<string, CounterValues>,
  tolerance: number,
): ReconciliationRow[] {
  const byDate = new Map(reported.map((day) => [day.date, day]));
  return days.flatMap((date) =>
    RECONCILED_FIGURES.map((figure) => {
      const report = byDate.get(date);
      const count = counted.get(date)?.[figure] ?? 0;
      if (!report) {
        return {
          unitCode,
          date,
          figure,
          reported: null,
          counted: count,
          difference: null,
          relativeDifference: null,
          withinTolerance: null,
        };
      }
      const value = report[figure];
      const base = Math.max(value, count);
      const relative = base === 0 ? 0 : Math.abs(value - count) / base;
      return {
        unitCode,
        date,
        figure,
        reported: value,
        counted: count,
        difference: value - count,
        relativeDifference: relative,
        withinTolerance: relative <= tolerance,
      };
    }),
  );
}

export function reconciliationCsv(rows: readonly ReconciliationRow[]): string {
  const header = [
    'unitCode',
    'date',
    'figure',
    'reported',
    'counted',
    'difference',
    'relativeDifference',
    'withinTolerance',
  ];
  const cell = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
  return `${[header.join(','), ...rows.map((r) => header.map((h) => cell(r[h as keyof ReconciliationRow])).join(','))].join('\r\n')}\r\n`;
}
