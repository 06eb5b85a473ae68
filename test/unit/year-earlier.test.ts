import { describe, expect, it } from 'vitest';
import {
  calendar,
  planFor,
  sameDayYearEarlier,
  yearEarlier,
} from '../../shared/domain/evaluation/periods.ts';

const VN = 420;
/** The instant a Vietnam day starts: 00:00 at UTC+7. */
const vnMidnight = (day: string): number => Date.parse(`${day}T00:00:00+07:00`);
const days = (month: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${month}-${String(from + i).padStart(2, '0')}`);

describe('the same periods a year earlier', () => {
  it('ends on the same date, and 29 February on the 28th', () => {
    expect(sameDayYearEarlier('2026-11-23')).toBe('2025-11-23');
    expect(sameDayYearEarlier('2028-02-29')).toBe('2027-02-28');
    expect(sameDayYearEarlier('2028-02-28')).toBe('2027-02-28');
    expect(sameDayYearEarlier('2028-03-01')).toBe('2027-03-01');
  });

  it('takes today, 7 days, the month so far and the whole months of the quarter and year before it', () => {
    const before = yearEarlier(calendar(Date.parse('2026-11-23T03:00:00Z'), VN));
    expect(before.today).toBe('2025-11-23');
    expect(before.last7).toEqual(days('2025-11', 17, 23));
    expect(before.monthDays).toEqual(days('2025-11', 1, 23));
    expect(before.quarterMonthsBefore).toEqual(['2025-10']);
    expect(before.yearMonthsBefore).toEqual(days('2025', 1, 10));
  });

  it('moves to the new year exactly at Vietnam midnight on 1 January', () => {
    const lastOfYear = yearEarlier(calendar(vnMidnight('2027-01-01') - 1, VN));
    expect(lastOfYear.today).toBe('2025-12-31');
    expect(lastOfYear.monthDays).toHaveLength(31);
    expect(lastOfYear.quarterMonthsBefore).toEqual(['2025-10', '2025-11']);
    expect(lastOfYear.yearMonthsBefore).toHaveLength(11);
    const firstOfYear = yearEarlier(calendar(vnMidnight('2027-01-01'), VN));
    expect(firstOfYear.today).toBe('2026-01-01');
    expect(firstOfYear.monthDays).toEqual(['2026-01-01']);
    expect(firstOfYear.last7).toEqual([...days('2025-12', 26, 31), '2026-01-01']);
    expect(firstOfYear.quarterMonthsBefore).toEqual([]);
    expect(firstOfYear.yearMonthsBefore).toEqual([]);
  });

  it('starts a new quarter at Vietnam midnight on 1 April', () => {
    expect(yearEarlier(calendar(vnMidnight('2026-04-01') - 1, VN)).quarterMonthsBefore).toEqual([
      '2025-01',
      '2025-02',
    ]);
    const april = yearEarlier(calendar(vnMidnight('2026-04-01'), VN));
    expect(april.quarterMonthsBefore).toEqual([]);
    expect(april.yearMonthsBefore).toEqual(['2025-01', '2025-02', '2025-03']);
  });

  it('ends a leap day’s month so far on 28 February of the year before', () => {
    const before = yearEarlier(calendar(vnMidnight('2028-02-29') + 3_600_000, VN));
    expect(before.today).toBe('2027-02-28');
    expect(before.monthDays).toEqual(days('2027-02', 1, 28));
    expect(before.last7).toEqual(days('2027-02', 22, 28));
  });

  it('is read with the unit totals: its days and months join the plan once each', () => {
    const cal = calendar(Date.parse('2026-11-23T03:00:00Z'), VN);
    const plan = planFor(cal, 7, 0);
    expect(plan.unitDays).toHaveLength(90 + 23);
    expect(new Set(plan.unitDays).size).toBe(plan.unitDays.length);
    expect(plan.unitDays).toEqual(expect.arrayContaining(['2025-11-01', '2025-11-23', ...cal.seriesDays]));
    expect(plan.unitDays).not.toContain('2025-11-24');
    expect(plan.unitMonths).toEqual([...days('2025', 1, 10), ...days('2026', 1, 10)]);
  });
});
