import { describe, expect, it } from 'vitest';
import { officeHoursWeight } from '../../local/demo.ts';

const at = (local: string): number => Date.parse(`${local}+07:00`);

describe("the demo's office-hours rhythm, in Vietnam time", () => {
  it('is busy from 7:30 to 11:30 and 13:30 to 17:00 on a weekday, one minute either side', () => {
    // 2026-11-23 is a Monday.
    expect(officeHoursWeight(at('2026-11-23T07:29:00'))).toBe(0.05);
    expect(officeHoursWeight(at('2026-11-23T07:30:00'))).toBe(1);
    expect(officeHoursWeight(at('2026-11-23T11:29:00'))).toBe(1);
    expect(officeHoursWeight(at('2026-11-23T11:30:00'))).toBe(0.05);
    expect(officeHoursWeight(at('2026-11-23T13:29:00'))).toBe(0.05);
    expect(officeHoursWeight(at('2026-11-23T13:30:00'))).toBe(1);
    expect(officeHoursWeight(at('2026-11-23T16:59:00'))).toBe(1);
    expect(officeHoursWeight(at('2026-11-23T17:00:00'))).toBe(0.05);
  });

  it('is quieter on a Saturday morning and nearly still on Saturday afternoon and Sunday', () => {
    expect(officeHoursWeight(at('2026-11-28T09:00:00'))).toBe(0.3);
    expect(officeHoursWeight(at('2026-11-28T14:00:00'))).toBe(0.02);
    expect(officeHoursWeight(at('2026-11-29T09:00:00'))).toBe(0.02);
  });

  it('reads the Vietnam day, not the UTC one: Monday 6:00 in Hanoi is Sunday 23:00 UTC', () => {
    expect(officeHoursWeight(Date.parse('2026-11-22T23:00:00Z'))).toBe(0.05);
    expect(officeHoursWeight(Date.parse('2026-11-23T01:00:00Z'))).toBe(1);
  });
});
