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
    processedOnlineRate: ratio(f.dossiersResolvedOnline, f.dossiersResolved),
    onTimeRate: ratio(f.dossiersOnTime, f.onTimeDenominator),
    onlinePaymentRate: ratio(f.onlinePayments, f.dossiersWithFee),
    digitizedRate: ratio(f.dossiersDigitized, f.dossiersResolved),
    satisfactionRate: ratio(f.satisfiedRatings, f.ratings),
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
    // The index of the year to date, by its definition (the pipeline rounds each group to 0.01); a unit that
    // is not fully connected is not evaluated for it.
    expect(row.score.measuredMax).toBe(expected?.score.measuredMax);
    if (expected?.status !== 'connected') {
      expect({ unit: row.unitCode, notEvaluated: row.score.notEvaluated, scaled: row.score.scaled }).toEqual({
        unit: row.unitCode,
        notEvaluated: 'not_connected',
        scaled: null,
      });
    } else if (expected.score.scaled == null) expect(row.score.scaled).toBeNull();
    else expect(Math.abs((row.score.scaled ?? Number.NaN) - expected.score.scaled)).toBeLessThan(0.05);
  }
  expect(compared).toBe(4 * truth.registered);
  // Each kind's average over its units that are connected and have enough measured for a band.
  for (const [kind, want] of Object.entries(truth.byKind)) {
    const got = snapshot.byKind[kind]?.score;
    expect({ kind, scored: got?.scored }).toEqual({ kind, scored: want.scored });
    if (want.average === null) expect(got?.average).toBeNull();
    else expect(Math.abs((got?.average ?? Number.NaN) - want.average)).toBeLessThan(0.05);
  }
  expect(snapshot.national.kpis.yearToDate.dossiersReceived).toBe(truth.national.yearToDate.dossiersReceived);
  expect(snapshot.national.kpis.yearToDate.onlineRate).toBe(truth.national.onlineRate);
}
