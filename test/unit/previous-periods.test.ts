import { describe, expect, it } from 'vitest';
import { previousMonthToDate } from '../../shared/domain/evaluation/evaluate.ts';

const days = (month: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${month}-${String(from + i).padStart(2, '0')}`);

describe('the previous month to date', () => {
  it('is the same days of the previous month in mid-month', () => {
    expect(previousMonthToDate('2026-11-15')).toEqual(days('2026-10', 1, 15));
  });

  it('is only the 1st on the 1st of a month', () => {
    expect(previousMonthToDate('2026-12-01')).toEqual(['2026-11-01']);
  });

  it('is cut at the end of a shorter previous month: 30 and 31 March against February', () => {
    expect(previousMonthToDate('2026-03-28')).toEqual(days('2026-02', 1, 28));
    expect(previousMonthToDate('2026-03-29')).toEqual(days('2026-02', 1, 28));
    expect(previousMonthToDate('2026-03-31')).toEqual(days('2026-02', 1, 28));
  });

  it('has 29 February in a leap year', () => {
    expect(previousMonthToDate('2028-03-30')).toEqual(days('2028-02', 1, 29));
  });

  it('reaches into the previous year in January', () => {
    expect(previousMonthToDate('2027-01-31')).toEqual(days('2026-12', 1, 31));
  });

  it('takes every day of a 31-day month after a 30-day month only up to the 30th', () => {
    expect(previousMonthToDate('2026-05-31')).toEqual(days('2026-04', 1, 30));
  });
});
