import type { Period } from '../../schemas/snapshot.ts';
import type { CounterValues } from '../dossier/counters.ts';
import { addDays, dayOf, quarterMonths } from '../time.ts';
import { sumCounters } from './kpis.ts';
import type { ReadPlan } from './ports.ts';

/** The days and months one evaluation's periods are made of, all in Vietnam's calendar. */
export interface Calendar {
  today: string;
  month: string;
  year: string;
  /** The 90 days ending today, oldest first. */
  seriesDays: string[];
  last7: string[];
  /** This month's days up to and including today. */
  monthDays: string[];
  quarterMonthsBefore: string[];
  yearMonthsBefore: string[];
}

export function calendar(at: number, offsetMinutes: number): Calendar {
  const today = dayOf(at, offsetMinutes);
  const month = today.slice(0, 7);
  const year = today.slice(0, 4);
  const seriesDays = Array.from({ length: 90 }, (_, i) => addDays(today, i - 89));
  const monthNumber = Number(today.slice(5, 7));
  const yearMonthsBefore = Array.from(
    { length: monthNumber - 1 },
    (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`,
  );
  return {
    today,
    month,
    year,
    seriesDays,
    last7: seriesDays.slice(-7),
    monthDays: seriesDays.filter((day) => day.startsWith(month)),
    quarterMonthsBefore: quarterMonths(month).filter((m) => m < month),
    yearMonthsBefore,
  };
}

/** The same day a year earlier; 29 February falls back to the 28th. */
export function sameDayYearEarlier(day: string): string {
  const shifted = `${Number(day.slice(0, 4)) - 1}${day.slice(4)}`;
  return shifted.endsWith('-02-29') ? `${shifted.slice(0, 8)}28` : shifted;
}

const yearEarlierMonth = (month: string): string => `${Number(month.slice(0, 4)) - 1}${month.slice(4)}`;

/**
 * The same periods a year earlier: today, the 7 days ending on it, and the month, quarter and year up to it,
 * each ending on the same day of the year before (the 28th for a 29 February). It carries no 90-day series.
 */
export function yearEarlier(cal: Calendar): Calendar {
  const today = sameDayYearEarlier(cal.today);
  const month = today.slice(0, 7);
  const last7 = Array.from({ length: 7 }, (_, i) => addDays(today, i - 6));
  const monthDays = Array.from(
    { length: Number(today.slice(8, 10)) },
    (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`,
  );
  return {
    today,
    month,
    year: today.slice(0, 4),
    seriesDays: [],
    last7,
    monthDays,
    quarterMonthsBefore: cal.quarterMonthsBefore.map(yearEarlierMonth),
    yearMonthsBefore: cal.yearMonthsBefore.map(yearEarlierMonth),
  };
}

/**
 * How an agency's month so far is read: `month`, its month counter whole, which holds exactly the days up to
 * now when evaluating now; `days`, its days up to today, for an evaluation of the past, whose month counter
 * also holds the days after it.
 */
export type MonthToDate = 'days' | 'month';

/** What one evaluation reads for a unit: the day series, the months before this one, and totals to reconcile. */
export function planFor(
  cal: Calendar,
  lookbackDays: number,
  asOf: number,
  agencyMonthToDate: MonthToDate = 'month',
): ReadPlan {
  const agencyDays =
    agencyMonthToDate === 'days' ? [...new Set([...cal.monthDays, ...cal.last7])].sort() : cal.last7;
  const before = yearEarlier(cal);
  return {
    asOf,
    unitDays: [...new Set([...before.monthDays, ...before.last7, ...cal.seriesDays])].sort(),
    unitMonths: [...before.yearMonthsBefore, ...cal.yearMonthsBefore],
    agencyDays,
    agencyMonths: agencyMonthToDate === 'days' ? cal.yearMonthsBefore : [...cal.yearMonthsBefore, cal.month],
    year: cal.year,
    totalsFrom: addDays(cal.today, -lookbackDays),
    totalsTo: addDays(cal.today, -1),
  };
}

/** Where a period summer finds one scope's counters (a unit's, or one agency's) by day and by month. */
export interface CounterSource {
  day(day: string): CounterValues | undefined;
  month(month: string): CounterValues | undefined;
}

const present = (values: (CounterValues | undefined)[]): CounterValues[] =>
  values.filter((v): v is CounterValues => v !== undefined);

/**
 * The one place periods are summed: today, the last 7 days, and month, quarter and year to date. The month so
 * far is always its days up to today, so an evaluation of the past never counts a later day; the quarter and
 * the year add the whole months before this one.
 */
export function periodCounters(
  source: CounterSource,
  cal: Calendar,
  monthToDate: MonthToDate = 'days',
): Record<Period, CounterValues> {
  const days = (list: readonly string[]) => present(list.map((d) => source.day(d)));
  const months = (list: readonly string[]) => present(list.map((m) => source.month(m)));
  const mtd = sumCounters(monthToDate === 'days' ? days(cal.monthDays) : months([cal.month]));
  return {
    today: sumCounters(days([cal.today])),
    last7Days: sumCounters(days(cal.last7)),
    monthToDate: mtd,
    quarterToDate: sumCounters([...months(cal.quarterMonthsBefore), mtd]),
    yearToDate: sumCounters([...months(cal.yearMonthsBefore), mtd]),
  };
}

/** The previous month's days from its 1st to today's day of the month, cut at the month's end. */
export function previousMonthToDate(today: string): string[] {
  const lastOfPrevious = addDays(`${today.slice(0, 7)}-01`, -1);
  const length = Math.min(Number(today.slice(8, 10)), Number(lastOfPrevious.slice(8, 10)));
  return Array.from({ length }, (_, i) => `${lastOfPrevious.slice(0, 8)}${String(i + 1).padStart(2, '0')}`);
}

/** The ISO week (`2026-W47`) of a day, which names a weekly digest. */
export function isoWeek(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - weekday + 3);
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  const week =
    1 +
    Math.round(
      (date.getTime() - firstThursday.getTime()) / 604_800_000 -
        (((firstThursday.getUTCDay() + 6) % 7) - 3) / 7,
    );
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
