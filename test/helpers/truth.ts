import { expect } from 'vitest';
import defaults from '../../shared/config/defaults.json' with { type: 'json' };
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

/**
 * What each target should say, from the configured national defaults (the scenario's registry sets no target of
 * its own): its value, its source, and for every figure the truth knows, the figure of each period and whether
 * it reaches the target. A figure that is not applicable neither meets nor misses.
 */
export function expectedTargets(
  periods: Record<'monthToDate' | 'quarterToDate' | 'yearToDate', Partial<Kpis>>,
) {
  return Object.fromEntries(
    Object.entries(defaults.targets.default).map(([name, target]) => {
      const judged = (figures: Partial<Kpis>) => {
        const actual = figures[name as keyof Kpis] as number | null;
        return { actual, met: actual === null ? null : actual >= target, withinRange: null };
      };
      return [
        name,
        name in periods.yearToDate
          ? {
              target,
              targetMax: null,
              source: 'national_default',
              actual: judged(periods.yearToDate).actual,
              met: judged(periods.yearToDate).met,
              periods: {
                monthToDate: judged(periods.monthToDate),
                quarterToDate: judged(periods.quarterToDate),
                yearToDate: judged(periods.yearToDate),
              },
            }
          : { target, targetMax: null, source: 'national_default' },
      ];
    }),
  );
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
  // A truth with no unit would make every comparison below pass vacuously.
  expect(Object.keys(truth.units).length).toBeGreaterThan(0);
  expect(truth.registered).toBe(Object.keys(truth.units).length);
  expect(snapshot.units.map((row) => row.unitCode).sort()).toEqual(Object.keys(truth.units).sort());
  let compared = 0;
  for (const row of snapshot.units) {
    const expected = truth.units[row.unitCode];
    expect({ unit: row.unitCode, status: row.connection.status }).toEqual({
      unit: row.unitCode,
      status: expected?.status,
    });
    expect(row.connection.reasons.map((r) => r.code)).toEqual(expected?.reasons);
    const wanted = {} as Record<'today' | 'monthToDate' | 'quarterToDate' | 'yearToDate', Partial<Kpis>>;
    for (const period of ['today', 'monthToDate', 'quarterToDate', 'yearToDate'] as const) {
      const want = expectedKpis(expected?.[period] as ExpectedFigures);
      wanted[period] = want;
      expect({ unit: row.unitCode, period, ...pick(row.kpis[period], want) }).toEqual({
        unit: row.unitCode,
        period,
        ...want,
      });
      compared++;
    }
    // Every target, with the figure of each period it judges and whether that figure reaches it.
    expect({ unit: row.unitCode, targets: row.targets }).toMatchObject({
      unit: row.unitCode,
      targets: expectedTargets(wanted),
    });
    expect(Object.keys(row.targets).sort()).toEqual(Object.keys(defaults.targets.default).sort());
    // The index of the year to date, by its definition (the pipeline rounds each group to 0.01); a unit that
    // is not fully connected is not evaluated for it.
    expect(row.score.measuredMax).toBe(expected?.score.measuredMax);
    const connected = expected?.status === 'connected';
    const scaled = expected?.score.scaled ?? null;
    expect({ unit: row.unitCode, scaled: row.score.scaled }).toEqual({
      unit: row.unitCode,
      scaled: !connected || scaled === null ? null : expect.closeTo(scaled, 1),
    });
    expect({ unit: row.unitCode, notConnected: row.score.notEvaluated === 'not_connected' }).toEqual({
      unit: row.unitCode,
      notConnected: !connected,
    });
  }
  expect(compared).toBe(4 * truth.registered);
  // Each kind's average over its units that are connected and have enough measured for a band.
  for (const [kind, want] of Object.entries(truth.byKind)) {
    const got = snapshot.byKind[kind]?.score;
    expect({ kind, scored: got?.scored, average: got?.average }).toEqual({
      kind,
      scored: want.scored,
      average: want.average === null ? null : expect.closeTo(want.average, 1),
    });
  }
  expect(Object.keys(truth.byKind).length).toBeGreaterThan(0);
  expect(snapshot.national.kpis.yearToDate.dossiersReceived).toBe(truth.national.yearToDate.dossiersReceived);
  expect(snapshot.national.kpis.yearToDate.onlineRate).toBe(truth.national.onlineRate);
  expect(snapshot.national.targets.onlineRate).toMatchObject({
    target: defaults.targets.default.onlineRate,
    source: 'national_default',
    actual: truth.national.onlineRate,
    met:
      truth.national.onlineRate === null
        ? null
        : truth.national.onlineRate >= defaults.targets.default.onlineRate,
  });
}
