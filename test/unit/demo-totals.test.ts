import { describe, expect, it } from 'vitest';
import { DailyTallies } from '../../local/demo-totals.ts';

const VN = 420;
const at = (iso: string): number => Date.parse(iso);

describe("the demo units' own daily totals", () => {
  it('attributes a receipt to its Vietnam day, one millisecond either side of midnight at a month end', () => {
    const tallies = new DailyTallies(VN);
    tallies.postedBefore('H01', '2026-11-30');
    tallies.receipt('H01', at('2026-11-30T23:59:59.999+07:00'), true);
    tallies.receipt('H01', at('2026-12-01T00:00:00.000+07:00'), false);

    expect(tallies.due('H01', at('2026-12-02T00:00:00+07:00'))).toEqual([
      { date: '2026-11-30', totals: { received: 1, receivedOnline: 1, resolved: 0, resolvedOnTime: 0 } },
      { date: '2026-12-01', totals: { received: 1, receivedOnline: 0, resolved: 0, resolvedOnTime: 0 } },
    ]);
  });

  it('counts a resolution on time at its due instant, and late one millisecond after', () => {
    const tallies = new DailyTallies(VN);
    tallies.postedBefore('H01', '2026-12-31');
    const due = at('2026-12-31T17:00:00+07:00');
    tallies.resolution('H01', due, due);
    tallies.resolution('H01', due + 1, due);

    expect(tallies.due('H01', at('2027-01-01T00:00:00+07:00'))).toEqual([
      { date: '2026-12-31', totals: { received: 0, receivedOnline: 0, resolved: 2, resolvedOnTime: 1 } },
    ]);
  });

  it('owes no day before midnight, and the day just ended from midnight on', () => {
    const tallies = new DailyTallies(VN);
    tallies.postedBefore('G01', '2028-02-29');
    tallies.add('G01', '2028-02-29', { received: 4, receivedOnline: 2, resolved: 3, resolvedOnTime: 1 });

    expect(tallies.due('G01', at('2028-02-29T23:59:59.999+07:00'))).toEqual([]);
    expect(tallies.due('G01', at('2028-03-01T00:00:00+07:00'))).toEqual([
      { date: '2028-02-29', totals: { received: 4, receivedOnline: 2, resolved: 3, resolvedOnTime: 1 } },
    ]);
  });

  it('reports a day without traffic as zeros, and nothing again once posted', () => {
    const tallies = new DailyTallies(VN);
    tallies.postedBefore('H02', '2026-03-30');
    const twoDaysLater = at('2026-04-01T08:00:00+07:00');
    expect(tallies.due('H02', twoDaysLater).map((d) => [d.date, d.totals.received])).toEqual([
      ['2026-03-30', 0],
      ['2026-03-31', 0],
    ]);

    tallies.posted('H02', '2026-03-31');
    expect(tallies.due('H02', twoDaysLater)).toEqual([]);
  });

  it('owes nothing for a unit it never started tallying', () => {
    expect(new DailyTallies(VN).due('H03', at('2026-12-02T10:00:00+07:00'))).toEqual([]);
  });

  it('survives a restart through its state', () => {
    const tallies = new DailyTallies(VN);
    tallies.postedBefore('H01', '2026-11-30');
    tallies.receipt('H01', at('2026-11-30T10:00:00+07:00'), true);
    const restored = new DailyTallies(VN, JSON.parse(JSON.stringify(tallies.toJSON())));

    expect(restored.due('H01', at('2026-12-01T00:05:00+07:00'))).toEqual(
      tallies.due('H01', at('2026-12-01T00:05:00+07:00')),
    );
  });
});
