import { formatNumber, formatPercent, type Lang } from './data.ts';
import { type StringKey, t } from './i18n.ts';

/** Escapes text for HTML; every figure and name from a snapshot passes through here. */
export const esc = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export type MissingReason =
  | 'na_rate'
  | 'na_score'
  | 'na_group'
  | 'na_value'
  | 'na_not_evaluated'
  | 'na_coverage'
  | 'na_year_ago';

/**
 * A figure that does not apply is a dash, not a sentence: the explanation is its title (on hover) and
 * shows beside it when it takes keyboard focus, so a tile never fills with "not applicable".
 */
export function missing(lang: Lang, reason: MissingReason = 'na_rate'): string {
  const tip = esc(t(lang, reason));
  return `<abbr class="na" tabindex="0" title="${tip}" data-tip="${tip}">—</abbr>`;
}

export function pct(value: number | null, lang: Lang, reason: MissingReason = 'na_rate'): string {
  return value === null ? missing(lang, reason) : esc(formatPercent(value, lang));
}

export function num(value: number | null, lang: Lang, reason: MissingReason = 'na_value'): string {
  return value === null ? missing(lang, reason) : esc(formatNumber(value, lang));
}

/** A string key that the caller builds from data (a level, a group, a period), with the raw value as fallback. */
export function label(lang: Lang, prefix: string, value: string): string {
  return t(lang, `${prefix}${value}` as StringKey) ?? value;
}

/**
 * A unit's index score, or why it has none: a unit that is not fully connected is not evaluated, and says so
 * in words as well as in the dash's tip.
 */
export function scoreText(
  score: { scaled: number | null; notEvaluated?: 'not_connected' },
  lang: Lang,
): string {
  if (score.notEvaluated)
    return `${missing(lang, 'na_not_evaluated')} <small class="not-evaluated">${esc(t(lang, 'notEvaluated'))}</small>`;
  return num(score.scaled, lang, 'na_score');
}
