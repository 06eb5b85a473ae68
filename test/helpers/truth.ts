import { expect } from 'vitest';
import type { Kpis, LatestSnapshot } from '../../shared/schemas/snapshot.ts';
import type { ExpectedFigures, GroundTruth } from '../../simulator/simulate.ts';

const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;

/** Every figure the ground truth knows, with the rates that follow from its counts by their definitions. */
export function expectedKpis(f: ExpectedFigures): Partial<Kpis> {
  return {
    ...f,
    onlineRate: ratio(f.dossiersReceivedOnline, f.dossiersReceived),
    fullOnlineRate: ratio(f.fullOnlineDossiers, f.fullOnlineEligible),
    onTimeRate: ratio(f.dossiersOnTime, f.dossiersWithDueDate),
    onlinePaymentRate: ratio(f.onlinePayments, f.dossiersWithFee),
    digitizedRate: ratio(f.dossiersDigitized, f.dossiersResolved),
  };
}

function pick(kpis: Kpis, like: Partial<Kpis>): Partial<Kpis> {
  return Object.fromEntries(Object.keys(like).map((name) => [name, kpis[name as keyof Kpis]]));
}

/**
 * The published snapshot says what the simulator meant: every unit's status and reasons, and its figures for
 * today, the month, the quarter and the year to date, and the national year.
 */
export function expectMatchesTruth(snapshot: LatestSnapshot, truth: GroundTruth): void {
  const statuses = (rows: { unitCode: string; status: string; reasons: string[] }[]) =>
    rows.map((r) => `${r.unitCode} ${r.status} ${r.reasons.join(',')}`).sort();
  expect(
    statuses(
      snapshot.units.map((row) => ({
        unitCode: row.unitCode,
        status: row.connection.status,
        reasons: row.connection.reasons.map((r) => r.code),
      })),
    ),
  ).toEqual(
    statuses(
      Object.entries(truth.units).map(([unitCode, u]) => ({
        unitCode,
        status: u.status,
        reasons: u.reasons,
      })),
    ),
  );
  expect(snapshot.connection).toMatchObject({ registered: truth.registered, connected: truth.connected });
  expect(snapshot.units.map((row) => row.unitCode).sort()).toEqual(Object.keys(truth.units).sort());
  let compared = 0;
  for (const row of snapshot.units) {
    const expected = truth.units[row.unitCode];
    expect({ unit: row.unitCode, status: row.connection.status }).toEqual({
      unit: row.unitCode,
      status: expected?.status,
    });
    expect(row.connection.reasons.map((r) => r.code)).toEqual(expected?.reasons);
    for (const period of ['today', 'monthToDate', 'quarterToDate', 'yearToDate'] as const) {
      const want = expectedKpis(expected?.[period] as ExpectedFigures);
      expect({ unit: row.unitCode, period, ...pick(row.kpis[period], want) }).toEqual({
        unit: row.unitCode,
        period,
        ...want,
      });
      compared++;
    }
  }
  expect(compared).toBe(4 * truth.registered);
  expect(snapshot.national.kpis.yearToDate.dossiersReceived).toBe(truth.national.yearToDate.dossiersReceived);
  expect(snapshot.national.kpis.yearToDate.onlineRate).toBe(truth.national.onlineRate);
}
