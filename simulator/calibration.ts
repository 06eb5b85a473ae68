import type { UnitInput } from '../shared/schemas/registry.ts';

/**
 * The seed articles' headline figures that the default scenario reproduces, and how closely. The unit test
 * of the scenario and `docs/simulator.md` quote these.
 */
export const SEED_FIGURES = {
  connected: 67,
  registered: 83,
  nationalOnlineRate: 0.385,
  provinceAverage: 61.5,
  ministryAverage: 43,
  provincesFairOrBetter: 8,
  top: [
    { name: 'Hà Nam', scaled: 81.43 },
    { name: 'Nam Định', scaled: 80.66 },
  ],
} as const;

export const TOLERANCE = { onlineRatePoints: 1, average: 2, topScore: 2.5 } as const;

/** Every unit receives online at this rate, so the nation does too. */
export const ONLINE_SHARE = SEED_FIGURES.nationalOnlineRate;

/** The named scores the articles give; every other unit is spread evenly so its kind's mean is the seed's. */
export const NAMED: Readonly<Record<string, number>> = {
  'Hà Nam': 81.43,
  'Nam Định': 80.66,
  'Bộ Quốc phòng': 73.98,
  'Tập đoàn Điện lực Việt Nam': 70.4,
};
/** Six more provinces at "khá" (fair) or above, so eight in all, kept clear of the band's edge. */
const MORE_FAIR_PROVINCES = [77, 76, 75, 74, 73, 72];
/** How far the others spread either side of what their kind's mean needs. */
const SPREAD = { province: 7.5, ministry: 12 } as const;

/**
 * The index each scored unit is meant to reach. Units that send no figures the index can read (never
 * connected, or on a legacy sender) are left out, so the kind averages are the seeds' over the units scored.
 */
export function intendedScores(scored: readonly UnitInput[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const kind of ['province', 'ministry'] as const) {
    const units = scored.filter((u) => (kind === 'province' ? u.kind === 'province' : u.kind !== 'province'));
    if (units.length === 0) continue;
    const mean = kind === 'province' ? SEED_FIGURES.provinceAverage : SEED_FIGURES.ministryAverage;
    const fixed = new Map<string, number>();
    for (const unit of units) {
      const named = NAMED[unit.name];
      if (named !== undefined) fixed.set(unit.unitCode, named);
    }
    if (kind === 'province') {
      const others = units.filter((u) => !fixed.has(u.unitCode));
      MORE_FAIR_PROVINCES.forEach((score, i) => {
        const unit = others[(i * 7 + 3) % others.length];
        if (unit && !fixed.has(unit.unitCode)) fixed.set(unit.unitCode, score);
      });
    }
    const rest = units.filter((u) => !fixed.has(u.unitCode));
    const fixedSum = [...fixed.values()].reduce((a, b) => a + b, 0);
    const restMean = rest.length > 0 ? (mean * units.length - fixedSum) / rest.length : mean;
    const spread = SPREAD[kind];
    // Evenly spread, interleaved so that neighbouring unit codes do not get neighbouring scores; the mean
    // of the spread is exactly restMean.
    rest.forEach((unit, i) => {
      const rank = rest.length === 1 ? 0.5 : ((i * 37) % rest.length) / (rest.length - 1);
      out.set(unit.unitCode, restMean + spread * (2 * rank - 1));
    });
    for (const [code, score] of fixed) out.set(code, score);
  }
  return out;
}

/**
 * The share of dossiers a unit of index `score` resolves on time, digitises, pays online (of those with a
 * fee, as a share of the 50% threshold) and satisfies (of those rated, as a share of the 90% threshold). With
 * the shipped weights (20, 12 + 10, 22, 18 of 82 measured points) and online submissions at 38.5% of the 50%
 * threshold, `score = (70 q + 12 × 0.77) / 82 × 100`.
 */
export function qualityFor(score: number): number {
  const onlinePoints = 12 * Math.min(1, ONLINE_SHARE / 0.5);
  return Math.min(1, Math.max(0, ((score / 100) * 82 - onlinePoints) / 70));
}
