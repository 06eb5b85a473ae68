import type { Settings } from '../../config/settings.ts';
import type { UnitRow } from '../../schemas/snapshot.ts';
import { digestAlert } from './alerts.ts';
import { type Calendar, isoWeek } from './periods.ts';
import type { StatusStorePort } from './ports.ts';
import type { Evaluated } from './snapshot.ts';
import { HISTORY_KEPT } from './status-machine.ts';

/**
 * Queues the digests of the day (from 08:00) and of the week, each claimed once per period. A digest also
 * names the units whose first verdict came in its period, since those get no alert of their own.
 */
export async function queueDigests(
  statuses: StatusStorePort,
  evaluated: readonly Evaluated[],
  rows: UnitRow[],
  cal: Calendar,
  config: Settings,
  times: { at: number; now: number },
): Promise<void> {
  const { at, now } = times;
  const minutesIntoDay = (at + config.time.utcOffsetMinutes * 60_000) % 86_400_000;
  const firstSince = (days: number): UnitRow[] =>
    evaluated
      .filter(
        (e) => e.history.length < HISTORY_KEPT && (e.history[0]?.since ?? -Infinity) > at - days * 86_400_000,
      )
      .map((e) => e.row);
  if (minutesIntoDay >= 8 * 3_600_000) {
    const daily = digestAlert('daily', cal.today, rows, now, firstSince(1));
    await statuses.claimDigest('daily', cal.today, daily);
    const weekday = new Date(`${cal.today}T00:00:00Z`).getUTCDay();
    if (weekday === config.alerts.weeklyDigestWeekday) {
      const week = isoWeek(cal.today);
      await statuses.claimDigest('weekly', week, digestAlert('weekly', week, rows, now, firstSince(7)));
    }
  }
}
