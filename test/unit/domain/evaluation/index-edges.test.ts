import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../../../shared/config/settings.ts';
import { indexScore, kindScore } from '../../../../shared/domain/evaluation/index-score.ts';
import { kpis } from '../../../../shared/domain/evaluation/kpis.ts';
import type { Kpis } from '../../../../shared/schemas/snapshot.ts';

const defaults = loadSettings({}).index;
const figures = (rates: Partial<Kpis>): Kpis => ({
  ...kpis({}, { procedures: 0, online: 0, fullOnline: 0 }, null),
  ...rates,
});

/** Online service alone, 10 points, with the split given. */
const onlineOnly = (onlineSubmission: number, onlinePayment: number): Settings['index'] => ({
  ...defaults,
  groups: {
    transparency: { max: 0, measured: false },
    progress: { max: 0, measured: false },
    onlineService: { max: 10, measured: true },
    digitization: { max: 0, measured: false },
    satisfaction: { max: 0, measured: false },
  },
  onlineServiceSplit: { onlineSubmission, onlinePayment },
  minMeasuredMax: 0,
});

describe('a group whose parts weigh nothing', () => {
  it('is not measured with a split of 0 and 0, rather than dividing by zero', () => {
    const score = indexScore(figures({ onlineRate: 0.5, onlinePaymentRate: 0.5 }), onlineOnly(0, 0));
    expect(score.groups.onlineService).toEqual({ score: null, max: 10, measuredMax: 0, measured: true });
    expect(score).toMatchObject({ total: null, measuredMax: 0, scaled: null, band: null });
  });

  it('is scored on the one part that weighs something: a split of 1 and 0', () => {
    // Online rate 0.25 of a 0.5 threshold is half marks of the part that carries all the weight.
    const score = indexScore(figures({ onlineRate: 0.25, onlinePaymentRate: 1 }), onlineOnly(1, 0));
    expect(score.groups.onlineService).toEqual({ score: 5, max: 10, measuredMax: 10, measured: true });
    expect(score).toMatchObject({ total: 5, measuredMax: 10, scaled: 50 });
  });

  it('leaves out of the measured maximum a part whose rate is not applicable, by its weight: 3 of 3 + 1', () => {
    const score = indexScore(figures({ onlineRate: 0.5, onlinePaymentRate: null }), onlineOnly(3, 1));
    expect(score.groups.onlineService).toEqual({ score: 7.5, max: 10, measuredMax: 7.5, measured: true });
    expect(score.scaled).toBe(100);
  });
});

describe('kindScore ranking', () => {
  const unit = (unitCode: string, scaled: number | null, band: string | null) => ({
    unitCode,
    name: `Tỉnh ${unitCode}`,
    score: { scaled, band, measuredMax: 82 },
  });

  it('puts equal scores in code order whatever order they come in, and gives them one rank', () => {
    const score = kindScore(
      [unit('H09', 70, 'fair'), unit('H03', 70, 'fair'), unit('H05', 75, 'fair')],
      defaults,
    );
    expect(score.ranking).toEqual([
      { rank: 1, unitCode: 'H05', name: 'Tỉnh H05', scaled: 75, band: 'fair' },
      { rank: 2, unitCode: 'H03', name: 'Tỉnh H03', scaled: 70, band: 'fair' },
      { rank: 2, unitCode: 'H09', name: 'Tỉnh H09', scaled: 70, band: 'fair' },
    ]);
    expect(score.average).toBe(71.67);
  });

  it('ranks a score 0.01 lower one rank down, after the units above it', () => {
    const score = kindScore(
      [unit('H01', 69.99, 'average'), unit('H02', 70, 'fair'), unit('H03', 70, 'fair')],
      defaults,
    );
    expect(score.ranking.map((r) => [r.rank, r.unitCode])).toEqual([
      [1, 'H02'],
      [1, 'H03'],
      [3, 'H01'],
    ]);
  });

  it('takes no part for a unit with a scaled score but no band', () => {
    const score = kindScore([unit('H01', 50, null), unit('H02', 80, 'good')], defaults);
    expect(score).toMatchObject({ average: 80, scored: 1, notEnoughData: 0 });
    expect(score.byBand).toEqual({ excellent: 0, good: 1, fair: 0, average: 0, weak: 0 });
  });
});
