import type { Settings } from '../../config/settings.ts';
import type { Kpis } from '../../schemas/snapshot.ts';

export interface Score {
  total: number | null;
  measuredMax: number;
  scaled: number | null;
  band: string | null;
  groups: Record<string, { score: number | null; max: number; measured: boolean }>;
}

/** Linear up to the threshold, full above it; null stays null. */
function capped(value: number | null, threshold: number): number | null {
  if (value === null) return null;
  return threshold <= 0 ? 1 : Math.min(1, value / threshold);
}

const round = (value: number): number => Math.round(value * 100) / 100;

/**
 * A service-quality index in the style of Decision 766/QĐ-TTg. Only groups this pipeline measures are
 * scored; the others (transparency, by default) are shown with their maximum and `measured: false`, never
 * invented. `scaled` is the score out of 100 over the measured groups, and the band is read from it.
 */
export function indexScore(figures: Kpis, config: Settings['index']): Score {
  const t = config.thresholds;
  const split = config.onlineServiceSplit;
  const online = capped(figures.onlineRate, t.onlineRate);
  const payment = capped(figures.onlinePaymentRate, t.onlinePaymentRate);
  const raw: Record<string, number | null> = {
    transparency: null,
    progress: figures.onTimeRate,
    onlineService:
      online === null && payment === null
        ? null
        : ((online ?? 0) * split.onlineSubmission + (payment ?? 0) * split.onlinePayment) /
          (split.onlineSubmission + split.onlinePayment),
    digitization: capped(figures.digitizedRate, t.digitizedRate),
    satisfaction: capped(figures.satisfactionRate, t.satisfactionRate),
  };
  const groups: Score['groups'] = {};
  let total = 0;
  let measuredMax = 0;
  let any = false;
  for (const [name, group] of Object.entries(config.groups)) {
    const share = group.measured ? (raw[name] ?? null) : null;
    const score = share === null ? null : round(share * group.max);
    groups[name] = { score, max: group.max, measured: group.measured };
    if (group.measured && score !== null) {
      total += score;
      measuredMax += group.max;
      any = true;
    }
  }
  const scaled = any && measuredMax > 0 ? round((total / measuredMax) * 100) : null;
  const band =
    scaled === null
      ? null
      : ([...config.bands].sort((a, b) => b.min - a.min).find((b) => scaled >= b.min)?.band ?? null);
  return { total: any ? round(total) : null, measuredMax, scaled, band, groups };
}
