import type { Settings } from '../../config/settings.ts';
import type { KindScore, Kpis } from '../../schemas/snapshot.ts';

export interface GroupScore {
  /** Points earned; null when none of the group's parts could be measured. */
  score: number | null;
  /** The group's maximum, as configured. */
  max: number;
  /** The points the measured parts could earn: `max` unless a part's rate is not applicable. */
  measuredMax: number;
  measured: boolean;
}

export interface Score {
  total: number | null;
  measuredMax: number;
  scaled: number | null;
  band: string | null;
  groups: Record<string, GroupScore>;
}

/** The band of a score whose measured groups are worth less than the configured minimum. */
export const NOT_ENOUGH_DATA = 'not_enough_data';

/** Linear up to the threshold, full above it; null stays null. */
function capped(value: number | null, threshold: number): number | null {
  if (value === null) return null;
  return threshold <= 0 ? 1 : Math.min(1, value / threshold);
}

const round = (value: number): number => Math.round(value * 100) / 100;

/** A group's parts: each a share (or null, not applicable) and the weight it carries inside the group. */
type Parts = { share: number | null; weight: number }[];

/**
 * A group's score from its parts. A part that is not applicable earns nothing and is left out of the
 * group's measured maximum, exactly as a group that is not applicable is left out of the index: it never
 * counts as 0.
 */
function groupScore(parts: Parts, max: number): { score: number | null; measuredMax: number } {
  const weight = parts.reduce((sum, part) => sum + part.weight, 0);
  const measured = parts.filter((part) => part.share !== null);
  if (measured.length === 0 || weight <= 0) return { score: null, measuredMax: 0 };
  const measuredWeight = measured.reduce((sum, part) => sum + part.weight, 0);
  const earned = measured.reduce((sum, part) => sum + (part.share ?? 0) * part.weight, 0);
  return { score: round((earned / weight) * max), measuredMax: round((measuredWeight / weight) * max) };
}

/**
 * A service-quality index in the style of Decision 766/QĐ-TTg. Only groups this pipeline measures are
 * scored; the others (transparency, by default) are shown with their maximum and `measured: false`, never
 * invented. `scaled` is the score out of 100 over what was measured. A band is given only when the measured
 * maximum reaches `minMeasuredMax`: a score over a few points says too little to rank a unit by.
 */
export function indexScore(figures: Kpis, config: Settings['index']): Score {
  const t = config.thresholds;
  const split = config.onlineServiceSplit;
  const parts: Record<string, Parts> = {
    transparency: [{ share: null, weight: 1 }],
    progress: [{ share: figures.onTimeRate, weight: 1 }],
    onlineService: [
      { share: capped(figures.onlineRate, t.onlineRate), weight: split.onlineSubmission },
      { share: capped(figures.onlinePaymentRate, t.onlinePaymentRate), weight: split.onlinePayment },
    ],
    digitization: [{ share: capped(figures.digitizedRate, t.digitizedRate), weight: 1 }],
    satisfaction: [{ share: capped(figures.satisfactionRate, t.satisfactionRate), weight: 1 }],
  };
  const groups: Score['groups'] = {};
  let total = 0;
  let measuredMax = 0;
  let any = false;
  for (const [name, group] of Object.entries(config.groups)) {
    const scored = group.measured
      ? groupScore(parts[name] ?? [], group.max)
      : { score: null, measuredMax: 0 };
    groups[name] = {
      score: scored.score,
      max: group.max,
      measuredMax: scored.measuredMax,
      measured: group.measured,
    };
    if (group.measured && scored.score !== null) {
      total += scored.score;
      measuredMax += scored.measuredMax;
      any = true;
    }
  }
  measuredMax = round(measuredMax);
  const scaled = any && measuredMax > 0 ? round((total / measuredMax) * 100) : null;
  let band: string | null = null;
  if (scaled !== null) {
    band =
      measuredMax < config.minMeasuredMax
        ? NOT_ENOUGH_DATA
        : ([...config.bands].sort((a, b) => b.min - a.min).find((b) => scaled >= b.min)?.band ?? null);
  }
  return { total: any ? round(total) : null, measuredMax, scaled, band, groups };
}

/** What a kind's ranking needs of each unit. */
export interface RankedUnit {
  unitCode: string;
  name: string;
  score: Pick<Score, 'scaled' | 'band' | 'measuredMax'>;
}

/**
 * A kind's average and ranking. Only units banded on enough data take part: their `scaled` is averaged (a
 * plain mean of units, as the national portal ranks) and ranked highest first; equal scores share a rank.
 */
export function kindScore(units: readonly RankedUnit[], config: Settings['index']): KindScore {
  const ranked = units
    .filter((u) => u.score.scaled !== null && u.score.band !== null && u.score.band !== NOT_ENOUGH_DATA)
    .sort((a, b) => (b.score.scaled ?? 0) - (a.score.scaled ?? 0) || (a.unitCode < b.unitCode ? -1 : 1));
  const scores = ranked.map((u) => u.score.scaled ?? 0);
  const average = scores.length === 0 ? null : round(scores.reduce((a, b) => a + b, 0) / scores.length);
  const byBand: Record<string, number> = {};
  for (const band of config.bands) byBand[band.band] = 0;
  for (const u of ranked) byBand[u.score.band ?? ''] = (byBand[u.score.band ?? ''] ?? 0) + 1;
  let rank = 0;
  const ranking = ranked.map((u, index) => {
    if (index === 0 || (scores[index - 1] ?? 0) !== u.score.scaled) rank = index + 1;
    return {
      rank,
      unitCode: u.unitCode,
      name: u.name,
      scaled: u.score.scaled ?? 0,
      band: u.score.band ?? '',
    };
  });
  return {
    average,
    scored: ranked.length,
    notEnoughData: units.filter((u) => u.score.band === NOT_ENOUGH_DATA).length,
    byBand,
    ranking,
  };
}
