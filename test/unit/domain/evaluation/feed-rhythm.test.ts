import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import type { ConnectionResult } from '../../../../shared/domain/evaluation/compliance.ts';
import {
  feedRhythm,
  feedRhythmReason,
  isWorkingDay,
  unitFeedRhythm,
  withFeedRhythm,
} from '../../../../shared/domain/evaluation/feed-rhythm.ts';

const config = loadSettings({});
const RULE = config.compliance.feedRhythm;
const NONE = new Set<string>();

/**
 * November 2026 starts on a Sunday: the 2nd is a Monday, the 7th and 8th a weekend. Days are written out here
 * rather than computed by the code under test.
 */
const nov = (day: number): string => `2026-11-${String(day).padStart(2, '0')}`;
const WORKING_NOV = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30].map(nov);

/** Active on every working day from 2 November up to and including `lastDay`, and on no other day. */
const dailyUntil = (lastDay: string) => (day: string) => WORKING_NOV.includes(day) && day <= lastDay;

describe('the working days', () => {
  it('leaves out Saturdays, Sundays and configured holidays', () => {
    expect(isWorkingDay(nov(6), NONE)).toBe(true);
    expect(isWorkingDay(nov(7), NONE)).toBe(false);
    expect(isWorkingDay(nov(8), NONE)).toBe(false);
    expect(isWorkingDay(nov(9), new Set([nov(9)]))).toBe(false);
  });

  it('ships Tết 2026 as holidays, from the 14th to the 22nd of February', () => {
    const holidays = new Set(config.calendar.holidays);
    expect(isWorkingDay('2026-02-13', holidays)).toBe(true);
    expect(isWorkingDay('2026-02-16', holidays)).toBe(false);
    expect(isWorkingDay('2026-02-20', holidays)).toBe(false);
    expect(isWorkingDay('2026-02-23', holidays)).toBe(true);
  });
});

describe("a feed's rhythm, learnt from its own days", () => {
  it('allows a daily feed three silent working days, and calls the fourth an interruption', () => {
    // Last active Friday the 20th: Monday 23 to Wednesday 25 are three silent working days by the 26th.
    const three = feedRhythm(dailyUntil(nov(20)), nov(26), RULE, NONE);
    expect(three).toMatchObject({
      silentWorkingDays: 3,
      allowedWorkingDays: 3,
      longestGap: 0,
      lastActiveDay: nov(20),
    });
    expect(feedRhythmReason(three)).toBeUndefined();
    const four = feedRhythm(dailyUntil(nov(20)), nov(27), RULE, NONE);
    expect(four?.silentWorkingDays).toBe(4);
    expect(feedRhythmReason(four)).toEqual({
      code: 'dossier_feed_interrupted',
      vi: 'Nguồn dữ liệu hồ sơ bị gián đoạn: không có hồ sơ nào từ 2026-11-20 (4 ngày làm việc), quá 3 ngày làm việc theo nhịp gửi của đơn vị; tín hiệu kết nối không thay cho dữ liệu hồ sơ.',
      en: "Dossier feed interrupted: no dossier since 2026-11-20 (4 working days), longer than the 3 working days the unit's own rhythm allows; heartbeats do not stand in for dossier data.",
    });
  });

  it('does not count a weekend or a holiday as silence', () => {
    // Last active Thursday the 19th; by Tuesday the 24th, Friday 20 and Monday 23 are silent, not the weekend.
    expect(feedRhythm(dailyUntil(nov(19)), nov(24), RULE, NONE)?.silentWorkingDays).toBe(2);
    const holiday = feedRhythm(dailyUntil(nov(20)), nov(27), RULE, new Set([nov(23)]));
    expect(holiday?.silentWorkingDays).toBe(3);
    expect(feedRhythmReason(holiday)).toBeUndefined();
  });

  it('allows a feed that sends every other working day twice its longest gap', () => {
    // Active on the 2nd, 4th, 6th, 10th, 12th, 16th, 18th: its longest gap is one working day (the 9th is a
    // gap of its own too), so it may be silent max(3, 2 × 1) = 3 working days.
    const everyOther = new Set([2, 4, 6, 10, 12, 16, 18].map(nov));
    const active = (day: string) => everyOther.has(day);
    expect(feedRhythm(active, nov(24), RULE, NONE)).toMatchObject({
      longestGap: 1,
      allowedWorkingDays: 3,
      silentWorkingDays: 3,
    });
    expect(feedRhythmReason(feedRhythm(active, nov(25), RULE, NONE))?.code).toBe('dossier_feed_interrupted');
    // A gap of two working days doubles to four.
    const sparse = new Set([2, 3, 4, 5, 6, 11, 12].map(nov));
    const rhythm = feedRhythm((day) => sparse.has(day), nov(18), RULE, NONE);
    expect(rhythm).toMatchObject({ longestGap: 2, allowedWorkingDays: 4, silentWorkingDays: 3 });
  });

  it('judges only a feed that was active: five working days with dossiers, not four', () => {
    expect(feedRhythm(dailyUntil(nov(6)), nov(20), RULE, NONE)?.activeDays).toBe(5);
    expect(feedRhythm(dailyUntil(nov(5)), nov(20), RULE, NONE)).toBeNull();
  });

  it('sees no silence on a day with dossiers, nor without any day of dossiers in the lookback', () => {
    expect(feedRhythm(() => true, nov(27), RULE, NONE)).toBeNull();
    expect(feedRhythm(() => false, nov(27), RULE, NONE)).toBeNull();
  });

  it('reads a unit’s days as active when dossiers were received or resolved', () => {
    const days = new Map(
      WORKING_NOV.filter((d) => d <= nov(20)).map((d, i) => [d, i % 2 ? { received: 1 } : { resolved: 2 }]),
    );
    expect(unitFeedRhythm(days, nov(27), RULE, [])?.silentWorkingDays).toBe(4);
  });
});

describe('the verdict with the feed rhythm', () => {
  const rhythm = feedRhythm(dailyUntil(nov(20)), nov(27), RULE, NONE);
  const api = (status: ConnectionResult['status'], codes: string[]): ConnectionResult => ({
    status,
    reasons: codes.map((code) => ({ code, vi: code, en: code })),
    criteria: { sender: null, applied: ['heartbeat'] },
  });

  it('makes a unit with live heartbeats interrupted, saying the dossier feed stopped', () => {
    const result = withFeedRhythm(api('connected', []), rhythm);
    expect([result.status, result.reasons.map((r) => r.code)]).toEqual([
      'interrupted',
      ['dossier_feed_interrupted'],
    ]);
    expect(result.criteria.applied).toEqual(['heartbeat', 'feed_rhythm']);
  });

  it('lists it after the heartbeats’ interruption when both stopped', () => {
    const both = withFeedRhythm(
      api('interrupted', ['connection_interrupted', 'heartbeat_late:core']),
      rhythm,
    );
    expect(both.reasons.map((r) => r.code)).toEqual([
      'connection_interrupted',
      'dossier_feed_interrupted',
      'heartbeat_late:core',
    ]);
  });

  it('leaves a feed within its rhythm, a legacy sender and a unit never connected alone', () => {
    const within = feedRhythm(dailyUntil(nov(20)), nov(26), RULE, NONE);
    expect(withFeedRhythm(api('connected', []), within).status).toBe('connected');
    const legacy = { ...api('connected', []), criteria: { sender: 'opencps' as const, applied: [] } };
    expect(withFeedRhythm(legacy, rhythm)).toEqual(legacy);
    expect(withFeedRhythm(api('never_connected', ['no_data_ever']), rhythm).status).toBe('never_connected');
  });
});
