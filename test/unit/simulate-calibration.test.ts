import { describe, expect, it } from 'vitest';
import { intendedScores, qualityFor, SEED_FIGURES, TOLERANCE } from '../../simulator/calibration.ts';
import { demoRegistry } from '../../simulator/registry.ts';
import { DEFAULT_FAULTS, planSimulation, SCALES } from '../../simulator/simulate.ts';
import { intendedScore } from '../../simulator/truth.ts';

/** The default scenario, as `npm start`'s first start sends it (a time lapse), on a fixed clock. */
const units = demoRegistry();
const scenario = { units, seed: 2024, ...SCALES.demo, now: Date.parse('2026-11-18T10:00:00+07:00') };
const { truth, requests, steps } = planSimulation({ ...scenario, history: 'time-lapse' });
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
      heartbeat_interrupted: [
        'interrupted',
        ['connection_interrupted', 'heartbeat_late:tthc', 'heartbeat_late:portal'],
      ],
      feed_interrupted: ['interrupted', ['dossier_feed_interrupted']],
      catalog_missing: ['partial', ['catalog_missing']],
      catalog_stale: ['partial', ['catalog_stale']],
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

  it('sent at the real time, cannot show a heartbeat that stopped or an old catalogue: they were never sent', () => {
    const realTime = planSimulation({ ...scenario, history: 'real-time' }).truth;
    const differing = Object.entries(realTime.units).flatMap(([code, u]) =>
      u.status === truth.units[code]?.status && u.reasons.join() === truth.units[code]?.reasons.join()
        ? []
        : [[u.fault, u.status, u.reasons]],
    );
    expect(differing).toEqual([
      ['catalog_stale', 'partial', ['catalog_missing']],
      ['heartbeat_interrupted', 'partial', ['heartbeat_missing:tthc', 'heartbeat_missing:portal']],
    ]);
    expect(realTime.connected).toBe(truth.connected);
  }, 300_000);

  it('dates heartbeats and catalogue syncs before its last step for the time lapse only', () => {
    const last = steps.at(-1);
    expect([steps.length, last]).toEqual([8, scenario.now]);
    expect(new Date(steps[0] ?? 0).toISOString()).toBe('2026-11-11T10:30:00.000Z');
    const timeLapseOnly = requests.filter((r) => r.timeLapseOnly);
    expect(new Set(timeLapseOnly.map((r) => r.path))).toEqual(new Set(['/v1/heartbeats', '/v1/catalog']));
    expect(timeLapseOnly.every((r) => (r.at ?? scenario.now) < scenario.now)).toBe(true);
    // The stale catalogue is synced 35 days before the run (maxAgeDays 30), once.
    const stale = Object.entries(truth.units).find(([, u]) => u.fault === 'catalog_stale')?.[0];
    const syncs = requests.filter((r) => r.unitCode === stale && r.path === '/v1/catalog');
    expect(syncs.map((r) => r.at)).toEqual([scenario.now - 35 * 86_400_000]);
    // The interrupted unit's last heartbeat is on a step before the three days, and none after.
    const lost = Object.entries(truth.units).find(([, u]) => u.fault === 'heartbeat_interrupted')?.[0];
    const beats = requests.filter((r) => r.unitCode === lost && r.path === '/v1/heartbeats');
    expect(beats.length).toBeGreaterThan(0);
    expect(Math.max(...beats.map((r) => r.at ?? scenario.now))).toBeLessThan(scenario.now - 3 * 86_400_000);
    // Every dossier event is sent at or after it happened, and no later than the run.
    for (const r of requests.filter((x) => x.path === '/v1/dossier-events')) {
      const sentAt = r.at ?? scenario.now;
      const events = (JSON.parse(r.body) as { events: { occurredAt: string }[] }).events;
      expect(events.every((e) => Date.parse(e.occurredAt) <= sentAt && sentAt <= scenario.now)).toBe(true);
    }
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
