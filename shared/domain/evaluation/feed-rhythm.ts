import { addDays } from '../time.ts';
import type { ConnectionResult, Reason } from './compliance.ts';

/** How a feed's own rhythm is learnt and how far past it a silence may go (`compliance.feedRhythm`). */
export interface FeedRhythmRule {
  /** Calendar days before today whose working days the rhythm is learnt from. */
  lookbackDays: number;
  /** Working days with dossiers the lookback needs before the feed counts as active at all. */
  minActiveDays: number;
  /** A silence may last this many times the longest gap of the lookback… */
  multiplier: number;
  /** …and never less than this many working days. */
  minSilentWorkingDays: number;
}

/** What the rhythm concluded: null when the feed was never active enough to have one. */
export interface FeedRhythm {
  /** Complete working days, up to yesterday, since the last day with dossiers. */
  silentWorkingDays: number;
  /** The most the unit's own rhythm allows. */
  allowedWorkingDays: number;
  /** The longest run of working days without dossiers between two active days of the lookback. */
  longestGap: number;
  activeDays: number;
  /** The last day with dossiers received or resolved. */
  lastActiveDay: string | null;
}

/** Saturday, Sunday, or a configured public holiday (Tết among them): not a working day. */
export function isWorkingDay(day: string, holidays: ReadonlySet<string>): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(day);
}

/**
 * The feed's rhythm from its own days: `active(day)` says whether dossiers were received or resolved that day.
 * The silence is the working days since the last active day, up to yesterday (today is not over). The rhythm
 * is the longest run of working days without dossiers between two active days of the lookback before that
 * silence. Weekends and holidays count neither as silence nor as gaps.
 */
export function feedRhythm(
  active: (day: string) => boolean,
  today: string,
  rule: FeedRhythmRule,
  holidays: ReadonlySet<string>,
): FeedRhythm | null {
  if (active(today)) return null;
  const days = Array.from({ length: rule.lookbackDays }, (_, i) => addDays(today, i - rule.lookbackDays));
  const lastActiveIndex = days.findLastIndex(active);
  if (lastActiveIndex < 0) return null;
  const silentWorkingDays = days.slice(lastActiveIndex + 1).filter((d) => isWorkingDay(d, holidays)).length;
  let activeDays = 0;
  let longestGap = 0;
  let gap: number | undefined;
  for (const day of days.slice(0, lastActiveIndex + 1)) {
    if (active(day)) {
      if (isWorkingDay(day, holidays)) activeDays++;
      if (gap !== undefined) longestGap = Math.max(longestGap, gap);
      gap = 0;
    } else if (gap !== undefined && isWorkingDay(day, holidays)) gap++;
  }
  if (activeDays < rule.minActiveDays) return null;
  return {
    silentWorkingDays,
    allowedWorkingDays: Math.max(rule.minSilentWorkingDays, Math.ceil(rule.multiplier * longestGap)),
    longestGap,
    activeDays,
    lastActiveDay: days[lastActiveIndex] ?? null,
  };
}

/** The reason a feed that stopped past its rhythm gives; none while it keeps to it. */
export function feedRhythmReason(rhythm: FeedRhythm | null): Reason | undefined {
  if (!rhythm || rhythm.silentWorkingDays <= rhythm.allowedWorkingDays) return undefined;
  const { silentWorkingDays: silent, allowedWorkingDays: allowed, lastActiveDay: last } = rhythm;
  return {
    code: 'dossier_feed_interrupted',
    vi: `Nguồn dữ liệu hồ sơ bị gián đoạn: không có hồ sơ nào từ ${last} (${silent} ngày làm việc), quá ${allowed} ngày làm việc theo nhịp gửi của đơn vị; tín hiệu kết nối không thay cho dữ liệu hồ sơ.`,
    en: `Dossier feed interrupted: no dossier since ${last} (${silent} working days), longer than the ${allowed} working days the unit's own rhythm allows; heartbeats do not stand in for dossier data.`,
  };
}

/**
 * The verdict with the feed's rhythm applied: a unit on the API whose feed stopped past its rhythm is
 * interrupted, whatever its heartbeats say, with the reason naming the feed. A legacy sender has its own
 * rhythm rule; a unit never connected has no feed to stop.
 */
export function withFeedRhythm(result: ConnectionResult, rhythm: FeedRhythm | null): ConnectionResult {
  if (result.criteria.sender !== null || result.status === 'never_connected') return result;
  const reason = feedRhythmReason(rhythm);
  const criteria = { ...result.criteria, applied: [...result.criteria.applied, 'feed_rhythm'] };
  if (!reason) return { ...result, criteria };
  const [first, ...rest] = result.reasons;
  // After the heartbeats' own interruption, if there is one: that is the other signal that stopped.
  const reasons =
    first?.code === 'connection_interrupted' ? [first, reason, ...rest] : [reason, ...result.reasons];
  return { ...result, status: 'interrupted', reasons, criteria };
}

/** The rhythm of a unit's feed from its day series: a day is active when dossiers were received or resolved. */
export function unitFeedRhythm(
  unitDays: ReadonlyMap<string, { received?: number; resolved?: number }>,
  today: string,
  rule: FeedRhythmRule,
  holidays: readonly string[],
): FeedRhythm | null {
  const active = (day: string): boolean => {
    const values = unitDays.get(day);
    return (values?.received ?? 0) > 0 || (values?.resolved ?? 0) > 0;
  };
  return feedRhythm(active, today, rule, new Set(holidays));
}
