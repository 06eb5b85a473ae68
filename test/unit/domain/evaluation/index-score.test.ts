import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../../../shared/config/settings.ts';
import { indexScore, kindScore } from '../../../../shared/domain/evaluation/index-score.ts';
import { kpis } from '../../../../shared/domain/evaluation/kpis.ts';
import type { Kpis } from '../../../../shared/schemas/snapshot.ts';

const defaults = loadSettings({}).index;

type Rates = Partial<
  Pick<Kpis, 'onTimeRate' | 'onlineRate' | 'onlinePaymentRate' | 'digitizedRate' | 'satisfactionRate'>
>;
/** Year-to-date figures with only the rates the index reads set; every other rate is not applicable. */
const figures = (rates: Rates): Kpis => ({
  ...kpis({}, { procedures: 0, online: 0, fullOnline: 0 }, null),
  ...rates,
});

const full: Rates = {
  onTimeRate: 1,
  onlineRate: 0.5,
  onlinePaymentRate: 0.5,
  digitizedRate: 0.8,
  satisfactionRate: 0.9,
};

/** One measured group of 100 points scored by the on-time rate, so `scaled` is the rate × 100. */
const single = (bands = defaults.bands): Settings['index'] => ({
  ...defaults,
  groups: {
    transparency: { max: 0, measured: false },
    progress: { max: 100, measured: true },
    onlineService: { max: 0, measured: false },
    digitization: { max: 0, measured: false },
    satisfaction: { max: 0, measured: false },
  },
  bands,
});

describe('indexScore with the shipped groups (Decision 766 style, transparency unmeasured)', () => {
  it('gives every measured group its maximum at or above its threshold, out of 82 measurable points', () => {
    expect(indexScore(figures(full), defaults)).toEqual({
      total: 82,
      measuredMax: 82,
      scaled: 100,
      band: 'excellent',
      groups: {
        transparency: { score: null, max: 18, measuredMax: 0, measured: false },
        progress: { score: 20, max: 20, measuredMax: 20, measured: true },
        onlineService: { score: 22, max: 22, measuredMax: 22, measured: true },
        digitization: { score: 22, max: 22, measuredMax: 22, measured: true },
        satisfaction: { score: 18, max: 18, measuredMax: 18, measured: true },
      },
    });
  });

  it('caps a rate above its threshold at full marks', () => {
    const above = indexScore(
      figures({ onTimeRate: 1, onlineRate: 1, onlinePaymentRate: 1, digitizedRate: 1, satisfactionRate: 1 }),
      defaults,
    );
    expect(above.groups.onlineService?.score).toBe(22);
    expect(above.groups.digitization?.score).toBe(22);
    expect(above.groups.satisfaction?.score).toBe(18);
    expect(above.total).toBe(82);
  });

  it('is linear below each threshold, and leaves a group without a figure out of total and maximum', () => {
    // progress 0.75 × 20 = 15; online submissions 0.25/0.5 = ½ of 12 = 6, payments 0.5/0.5 = all 10 → 16;
    // digitisation 0.6/0.8 = ¾ of 22 = 16.5; satisfaction not applicable. 47.5 of 64 = 74.21875 → fair.
    expect(
      indexScore(
        figures({ onTimeRate: 0.75, onlineRate: 0.25, onlinePaymentRate: 0.5, digitizedRate: 0.6 }),
        defaults,
      ),
    ).toEqual({
      total: 47.5,
      measuredMax: 64,
      scaled: 74.22,
      band: 'fair',
      groups: {
        transparency: { score: null, max: 18, measuredMax: 0, measured: false },
        progress: { score: 15, max: 20, measuredMax: 20, measured: true },
        onlineService: { score: 16, max: 22, measuredMax: 22, measured: true },
        digitization: { score: 16.5, max: 22, measuredMax: 22, measured: true },
        satisfaction: { score: null, max: 18, measuredMax: 0, measured: true },
      },
    });
  });

  it('splits online service 12 for submissions and 10 for payments, in that order', () => {
    const submissionsOnly = indexScore(figures({ onlineRate: 0.5, onlinePaymentRate: 0 }), defaults);
    const paymentsOnly = indexScore(figures({ onlineRate: 0, onlinePaymentRate: 0.5 }), defaults);
    expect(submissionsOnly.groups.onlineService?.score).toBe(12);
    expect(paymentsOnly.groups.onlineService?.score).toBe(10);
  });

  it('scores online service over the part that applies when the other rate is not applicable, never as 0', () => {
    // No fee-bearing dossiers: online payment is null, so the group is 12 of 12 measurable points, not 12 of 22.
    expect(indexScore(figures({ onlineRate: 0.5 }), defaults).groups.onlineService).toEqual({
      score: 12,
      max: 22,
      measuredMax: 12,
      measured: true,
    });
    expect(indexScore(figures({ onlinePaymentRate: 0.5 }), defaults).groups.onlineService).toMatchObject({
      score: 10,
      measuredMax: 10,
    });
    expect(indexScore(figures({ onTimeRate: 1 }), defaults).groups.onlineService).toMatchObject({
      score: null,
      measuredMax: 0,
    });
  });

  it('gives the same scaled score with a null payment rate as with the online rate alone', () => {
    const all = { onTimeRate: 1, onlineRate: 0.5, digitizedRate: 0.8, satisfactionRate: 0.9 };
    // 20 + 12 + 22 + 18 = 72 of 72: full marks, where counting the null as 0 would give 72 of 82.
    expect(indexScore(figures(all), defaults)).toMatchObject({ total: 72, measuredMax: 72, scaled: 100 });
  });

  it('rounds each group, the total and the scaled score to two decimals', () => {
    // 1/3 × 20 = 6.666… → 6.67, out of 20 → 33.35.
    expect(indexScore(figures({ onTimeRate: 1 / 3 }), defaults)).toMatchObject({
      total: 6.67,
      measuredMax: 20,
      scaled: 33.35,
      band: 'not_enough_data',
    });
  });

  it('publishes no score at all when no measured group has a figure', () => {
    expect(indexScore(figures({}), defaults)).toEqual({
      total: null,
      measuredMax: 0,
      scaled: null,
      band: null,
      groups: {
        transparency: { score: null, max: 18, measuredMax: 0, measured: false },
        progress: { score: null, max: 20, measuredMax: 0, measured: true },
        onlineService: { score: null, max: 22, measuredMax: 0, measured: true },
        digitization: { score: null, max: 22, measuredMax: 0, measured: true },
        satisfaction: { score: null, max: 18, measuredMax: 0, measured: true },
      },
    });
  });

  it('scores a rate of 0 as 0 points, which still counts towards the maximum', () => {
    expect(indexScore(figures({ onTimeRate: 0 }), defaults)).toMatchObject({
      total: 0,
      measuredMax: 20,
      scaled: 0,
      band: 'not_enough_data',
    });
  });
});

describe('indexScore configuration', () => {
  it('never scores a group configured as unmeasured, even when its figure exists', () => {
    const config: Settings['index'] = {
      ...defaults,
      groups: { ...defaults.groups, progress: { max: 20, measured: false } },
    };
    const score = indexScore(figures(full), config);
    expect(score.groups.progress).toEqual({ score: null, max: 20, measuredMax: 0, measured: false });
    expect(score).toMatchObject({ total: 62, measuredMax: 62, scaled: 100 });
  });

  it('gives full marks for any figure when a threshold is 0, and none for a missing figure', () => {
    const config: Settings['index'] = {
      ...defaults,
      thresholds: { ...defaults.thresholds, digitizedRate: 0 },
    };
    expect(indexScore(figures({ digitizedRate: 0 }), config).groups.digitization?.score).toBe(22);
    expect(indexScore(figures({}), config).groups.digitization?.score).toBeNull();
    const small: Settings['index'] = {
      ...defaults,
      thresholds: { ...defaults.thresholds, digitizedRate: 0.01 },
    };
    expect(indexScore(figures({ digitizedRate: 0 }), small).groups.digitization?.score).toBe(0);
    expect(indexScore(figures({ digitizedRate: 0.005 }), small).groups.digitization?.score).toBe(11);
  });

  it('reads the online-service weights from configuration', () => {
    const config: Settings['index'] = {
      ...defaults,
      onlineServiceSplit: { onlineSubmission: 1, onlinePayment: 3 },
    };
    // ¼ of 22 for submissions alone.
    expect(
      indexScore(figures({ onlineRate: 0.5, onlinePaymentRate: 0 }), config).groups.onlineService?.score,
    ).toBe(5.5);
  });

  it('publishes no scaled score or band when the measured maximum is 0', () => {
    const config: Settings['index'] = {
      ...single(),
      groups: { ...single().groups, progress: { max: 0, measured: true } },
    };
    expect(indexScore(figures({ onTimeRate: 1 }), config)).toMatchObject({
      total: 0,
      measuredMax: 0,
      scaled: null,
      band: null,
    });
  });
});

describe('a band only on enough data', () => {
  const threeGroups = { onTimeRate: 1, onlineRate: 0.5, onlinePaymentRate: 0.5 };

  it('bands a score whose measured maximum reaches the minimum, and not one point below it', () => {
    // progress 20 + online service 22 = 42 measurable points.
    expect(indexScore(figures(threeGroups), { ...defaults, minMeasuredMax: 42 }).band).toBe('excellent');
    expect(indexScore(figures(threeGroups), { ...defaults, minMeasuredMax: 42.01 }).band).toBe(
      'not_enough_data',
    );
  });

  it('needs 60 of 100 points by default', () => {
    expect(defaults.minMeasuredMax).toBe(60);
    // 20 + 22 + 18 = 60: enough.
    expect(indexScore(figures({ ...threeGroups, satisfactionRate: 0.9 }), defaults).band).toBe('excellent');
    // 20 + 12 + 18 = 50 without fee-bearing dossiers: not enough.
    expect(
      indexScore(figures({ onTimeRate: 1, onlineRate: 0.5, satisfactionRate: 0.9 }), defaults),
    ).toMatchObject({
      measuredMax: 50,
      scaled: 100,
      band: 'not_enough_data',
    });
  });
});

describe('kindScore: average and ranking within a kind', () => {
  const unit = (unitCode: string, scaled: number | null, band: string | null, measuredMax = 82) => ({
    unitCode,
    name: unitCode,
    score: { scaled, band, measuredMax },
  });

  it('averages and ranks only units banded on enough data, highest first, equal scores sharing a rank', () => {
    const score = kindScore(
      [
        unit('H01', 61.5, 'average'),
        unit('H02', 81.43, 'good'),
        unit('H03', 61.5, 'average'),
        unit('H04', 90, 'not_enough_data', 20),
        unit('H05', null, null, 0),
        unit('H06', 40, 'weak'),
      ],
      defaults,
    );
    expect(score.average).toBe(61.11); // (61.5 + 81.43 + 61.5 + 40) / 4 = 61.1075
    expect(score).toMatchObject({ scored: 4, notEnoughData: 1 });
    expect(score.byBand).toEqual({ excellent: 0, good: 1, fair: 0, average: 2, weak: 1 });
    expect(score.ranking.map((r) => [r.rank, r.unitCode])).toEqual([
      [1, 'H02'],
      [2, 'H01'],
      [2, 'H03'],
      [4, 'H06'],
    ]);
  });

  it('has no average when no unit has enough data', () => {
    expect(kindScore([unit('H01', 90, 'not_enough_data', 20)], defaults)).toMatchObject({
      average: null,
      scored: 0,
      ranking: [],
    });
  });
});

describe('bands: the highest band whose minimum the scaled score reaches', () => {
  const cases: [number, string][] = [
    [1, 'excellent'],
    [0.9, 'excellent'],
    [0.8999, 'good'],
    [0.8, 'good'],
    [0.7999, 'fair'],
    [0.7, 'fair'],
    [0.6999, 'average'],
    [0.5, 'average'],
    [0.4999, 'weak'],
    [0, 'weak'],
  ];
  it.each(cases)('puts an on-time rate of %d (scaled ×100) in %s', (rate, band) => {
    expect(indexScore(figures({ onTimeRate: rate }), single()).band).toBe(band);
  });

  it('does not depend on the order the bands are configured in', () => {
    const ascending = [...defaults.bands].sort((a, b) => a.min - b.min);
    expect(indexScore(figures({ onTimeRate: 0.8 }), single(ascending)).band).toBe('good');
    expect(indexScore(figures({ onTimeRate: 0.7999 }), single(ascending)).band).toBe('fair');
  });

  it('has no band for a score under every minimum', () => {
    expect(indexScore(figures({ onTimeRate: 0.4 }), single([{ band: 'pass', min: 50 }])).band).toBeNull();
    expect(indexScore(figures({ onTimeRate: 0.5 }), single([{ band: 'pass', min: 50 }])).band).toBe('pass');
  });
});
