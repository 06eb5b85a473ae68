import { describe, expect, it } from 'vitest';
import { addDays, dayOf, quarterMonths } from '../../../shared/domain/time.ts';

/** Vietnam is UTC+7 all year: its midnight is 17:00 UTC of the day before. */
const VN = 420;

describe('dayOf, in Vietnam time', () => {
  it('puts the last millisecond before Vietnam midnight on the earlier day and midnight on the next', () => {
    expect(dayOf(Date.parse('2026-11-15T16:59:59.999Z'), VN)).toBe('2026-11-15');
    expect(dayOf(Date.parse('2026-11-15T17:00:00.000Z'), VN)).toBe('2026-11-16');
  });

  it('turns the month at Vietnam midnight, not at UTC midnight', () => {
    expect(dayOf(Date.parse('2026-11-30T16:59:00Z'), VN)).toBe('2026-11-30');
    expect(dayOf(Date.parse('2026-11-30T17:00:00Z'), VN)).toBe('2026-12-01');
    // 00:30 UTC on the 1st is already 07:30 in Vietnam, well inside the 1st.
    expect(dayOf(Date.parse('2026-12-01T00:30:00Z'), VN)).toBe('2026-12-01');
  });

  it('turns the quarter and the year at Vietnam midnight', () => {
    expect(dayOf(Date.parse('2026-09-30T16:59:00Z'), VN)).toBe('2026-09-30');
    expect(dayOf(Date.parse('2026-09-30T17:00:00Z'), VN)).toBe('2026-10-01');
    expect(dayOf(Date.parse('2026-12-31T16:59:00Z'), VN)).toBe('2026-12-31');
    expect(dayOf(Date.parse('2026-12-31T17:00:00Z'), VN)).toBe('2027-01-01');
  });

  it('knows the leap day of 2028', () => {
    expect(dayOf(Date.parse('2028-02-28T17:00:00Z'), VN)).toBe('2028-02-29');
    expect(dayOf(Date.parse('2028-02-29T16:59:00Z'), VN)).toBe('2028-02-29');
    expect(dayOf(Date.parse('2028-02-29T17:00:00Z'), VN)).toBe('2028-03-01');
  });

  it('uses the offset it is given, so a zero offset is plain UTC', () => {
    expect(dayOf(Date.parse('2026-11-15T23:59:00Z'), 0)).toBe('2026-11-15');
    expect(dayOf(Date.parse('2026-11-16T00:00:00Z'), 0)).toBe('2026-11-16');
  });
});

describe('quarterMonths', () => {
  // Quarters are Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec; each month's expected quarter written out by hand.
  const quarters: [string, string[]][] = [
    ['2026-01', ['2026-01', '2026-02', '2026-03']],
    ['2026-02', ['2026-01', '2026-02', '2026-03']],
    ['2026-03', ['2026-01', '2026-02', '2026-03']],
    ['2026-04', ['2026-04', '2026-05', '2026-06']],
    ['2026-05', ['2026-04', '2026-05', '2026-06']],
    ['2026-06', ['2026-04', '2026-05', '2026-06']],
    ['2026-07', ['2026-07', '2026-08', '2026-09']],
    ['2026-08', ['2026-07', '2026-08', '2026-09']],
    ['2026-09', ['2026-07', '2026-08', '2026-09']],
    ['2026-10', ['2026-10', '2026-11', '2026-12']],
    ['2026-11', ['2026-10', '2026-11', '2026-12']],
    ['2026-12', ['2026-10', '2026-11', '2026-12']],
  ];
  it.each(quarters)('puts %s in the quarter %j', (month, expected) => {
    expect(quarterMonths(month)).toEqual(expected);
  });

  it('keeps the year of the month it is given', () => {
    expect(quarterMonths('2028-02')).toEqual(['2028-01', '2028-02', '2028-03']);
  });
});

describe('addDays', () => {
  it('steps across the leap day of 2028 and the missing one of 2027', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-28', 2)).toBe('2028-03-01');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
  });

  it('steps across the year both ways, and zero days is the same day', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-11-15', 0)).toBe('2026-11-15');
    expect(addDays('2026-11-15', -89)).toBe('2026-08-18');
  });
});
