import { describe, expect, it } from 'vitest';
import { intendedScores, qualityFor, SEED_FIGURES, TOLERANCE } from '../../simulator/calibration.ts';
import { demoRegistry } from '../../simulator/registry.ts';
import { DEFAULT_FAULTS, planSimulation, SCALES } from '../../simulator/simulate.ts';
import { intendedScore } from '../../simulator/truth.ts';

/** The default scenario, `emc simulate` with no flags, on a fixed clock. */
const units = demoRegistry();
const { truth } = planSimulation({
  units,
  seed: 2024,
  ...SCALES.demo,
  now: Date.parse('2026-11-18T10:00:00+07:00'),
});
const names = new Map(units.map((u) => [u.unitCode, u.name]));
const scored = (kind: string) =>
  Object.entries(truth.units)
    .filter(([code]) => units.find((u) => u.unitCode === code)?.kind === kind)
    .flatMap(([code, u]) =>
      u.status === 'connected' && u.score.scaled !== null && u.score.measuredMax >= 60
        ? [{ name: names.get(code), scaled: u.score.scaled }]
        : [],
    )
    .sort((a, b) => b.scaled - a.scaled);

describe('the default scenario reproduces the seed articles’ figures', () => {
  it('has 67 of 83 units fully connected', () => {
    expect([truth.connected, truth.registered]).toEqual([SEED_FIGURES.connected, SEED_FIGURES.registered]);
  });

  it('says which unit fails for which reason: the 16 others spread over the faults, each with its own reasons', () => {
    const expected: Record<string, [string, string[]]> = {
      never_connected: ['never_connected', ['no_data_ever']],
      heartbeat_missing: ['partial', ['heartbeat_missing:portal']],
      feed_interrupted: ['interrupted', ['dossier_feed_interrupted']],
      catalog_missing: ['partial', ['catalog_missing']],
      coverage_agencies: ['partial', ['coverage_agencies_low']],
      coverage_closure: ['partial', ['coverage_closure_low']],
      reconciliation_unreported: ['partial', ['reconciliation_unreported']],
      reconciliation_mismatch: ['partial', ['reconciliation_mismatch']],
    };
    const spread: Record<string, number> = {};
    for (const u of Object.values(truth.units)) {
      if (u.fault === null) {
        expect([u.status, u.reasons]).toEqual(['connected', []]);
        continue;
      }
      spread[u.fault] = (spread[u.fault] ?? 0) + 1;
      expect({ fault: u.fault, status: u.status, reasons: u.reasons }).toEqual({
        fault: u.fault,
        status: expected[u.fault]?.[0],
        reasons: expected[u.fault]?.[1],
      });
    }
    expect(spread).toEqual(DEFAULT_FAULTS);
    expect(Object.values(spread).reduce((a, b) => a + b, 0)).toBe(16);
  });

  it('receives 38.5% of dossiers online nationally, within one point', () => {
    expect(Math.abs((truth.national.onlineRate ?? 0) - SEED_FIGURES.nationalOnlineRate)).toBeLessThanOrEqual(
      TOLERANCE.onlineRatePoints / 100,
    );
  });

  it('averages 61.5 for provinces and 43 for ministries, within 2', () => {
    expect(
      Math.abs((truth.byKind.province?.average ?? 0) - SEED_FIGURES.provinceAverage),
    ).toBeLessThanOrEqual(TOLERANCE.average);
    expect(
      Math.abs((truth.byKind.ministry?.average ?? 0) - SEED_FIGURES.ministryAverage),
    ).toBeLessThanOrEqual(TOLERANCE.average);
  });

  it('has 8 provinces at "khá" (70) or above', () => {
    expect(scored('province').filter((u) => u.scaled >= 70)).toHaveLength(SEED_FIGURES.provincesFairOrBetter);
  });

  it('puts Hà Nam and Nam Định on top, near 81.43 and 80.66', () => {
    const top = scored('province').slice(0, 2);
    expect(top.map((u) => u.name)).toEqual(SEED_FIGURES.top.map((u) => u.name));
    top.forEach((unit, i) => {
      expect(Math.abs(unit.scaled - (SEED_FIGURES.top[i]?.scaled ?? 0))).toBeLessThanOrEqual(
        TOLERANCE.topScore,
      );
    });
  });
});

describe('the calibration', () => {
  it('spreads the other units so that each kind’s intended mean is the seed’s', () => {
    const provinces = units.filter((u) => u.kind === 'province');
    const scores = intendedScores(provinces);
    const mean = [...scores.values()].reduce((a, b) => a + b, 0) / scores.size;
    expect(mean).toBeCloseTo(SEED_FIGURES.provinceAverage, 6);
    expect(scores.get(provinces.find((u) => u.name === 'Hà Nam')?.unitCode ?? '')).toBe(81.43);
  });

  it('maps an intended score to the quality that reaches it under the shipped weights', () => {
    for (const score of [43, 61.5, 81.43]) {
      const q = qualityFor(score);
      const reached = intendedScore({
        onTimeRate: q,
        onlineRate: 0.385,
        onlinePaymentRate: 0.5 * q,
        digitizedRate: 0.8 * q,
        satisfactionRate: 0.9 * q,
      });
      expect(reached.scaled).toBeCloseTo(score, 6);
    }
  });
});

describe('the ground truth', () => {
  it('counts what was meant: open dossiers past their due day enter the on-time denominator', () => {
    const ytd = truth.national.yearToDate;
    expect(ytd.dossiersOverdueOpen).toBeGreaterThan(0);
    expect(ytd.onTimeDenominator).toBe(ytd.dossiersWithDueDate + ytd.dossiersOverdueOpen);
    expect(ytd.dossiersNoDueDate).toBeGreaterThan(0);
    expect(ytd.dossiersOnTime).toBeLessThanOrEqual(ytd.onTimeDenominator);
  });
});
