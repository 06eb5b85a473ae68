import type { SenderProfileName } from '../../schemas/legacy-emc.ts';
import type { ConnectionInput, ConnectionResult, Criteria, Reason } from './compliance.ts';
import { reconciliationReasons } from './reconciliation-rule.ts';

const hours = (ms: number): string => (ms / 3_600_000).toFixed(1);

/**
 * The legacy part of a unit's connection input: nothing for a unit on the API, and for a unit on a legacy
 * sender profile, which of `days` (oldest first, ending today) had dossiers received or resolved.
 */
export function legacyInput(
  sender: SenderProfileName | undefined,
  unitDays: ReadonlyMap<string, { received?: number; resolved?: number }>,
  days: readonly string[],
): Pick<ConnectionInput, 'legacy'> {
  if (sender === undefined) return {};
  const activity = days.map((day) => {
    const values = unitDays.get(day);
    return (values?.received ?? 0) > 0 || (values?.resolved ?? 0) > 0;
  });
  return { legacy: { sender, activity } };
}

/**
 * How long a legacy feed may be silent before it counts as interrupted: `multiplier` times the mean gap
 * between its active days, kept within the configured bounds. A unit active every day gets the minimum; a
 * unit with dossiers once a week gets about three weeks, capped at the maximum.
 */
export function allowedSilenceHours(
  activeDayCount: number,
  rhythm: Criteria['legacy']['feedRhythm'],
): number {
  const meanGapHours = (rhythm.lookbackDays * 24) / Math.max(activeDayCount, 1);
  return Math.min(rhythm.maxSilenceHours, Math.max(rhythm.minSilenceHours, rhythm.multiplier * meanGapHours));
}

/**
 * A unit whose only integration is a legacy TrackingMCDT sender, which sends no heartbeats, catalogue or daily
 * totals. It is judged on what such a sender can do:
 * - feed rhythm: its feed's activity, against its own rhythm, is the liveness signal;
 * - observed catalogue: the feed names the procedure of every record, which stands in for a catalogue until a
 *   real one is synced (a synced one is then held to the usual age rule);
 * - reconciliation: optional by default; daily totals that are sent are still checked.
 * Fully working, it is "connected".
 */
export function evaluateLegacyConnection(
  input: ConnectionInput,
  legacy: NonNullable<ConnectionInput['legacy']>,
  criteria: Criteria,
): ConnectionResult {
  const applied = [
    'feed_rhythm',
    input.catalog ? 'catalog' : 'observed_catalog',
    criteria.legacy.reconciliation === 'optional' ? 'reconciliation_optional' : 'reconciliation',
  ];
  const used = { sender: legacy.sender, applied };
  if (input.lastDossierEventAt === undefined && input.catalog === undefined && input.heartbeats.size === 0) {
    return {
      status: 'never_connected',
      reasons: [
        {
          code: 'no_data_ever',
          vi: 'Chưa kết nối: hệ thống chưa từng gửi dữ liệu.',
          en: 'Not connected: no data has ever arrived.',
        },
      ],
      criteria: used,
    };
  }
  const reasons: Reason[] = [];
  let silent = false;
  if (input.lastDossierEventAt === undefined) {
    reasons.push({
      code: 'dossier_feed_missing',
      vi: 'Chưa gửi dữ liệu hồ sơ.',
      en: 'No dossier data has arrived.',
    });
  } else {
    const rhythm = criteria.legacy.feedRhythm;
    const active = legacy.activity.slice(-rhythm.lookbackDays).filter(Boolean).length;
    const allowed = allowedSilenceHours(active, rhythm);
    const quiet = input.at - input.lastDossierEventAt;
    if (quiet > allowed * 3_600_000) {
      silent = true;
      reasons.push({
        code: 'feed_rhythm_silent',
        vi: `Không có dữ liệu hồ sơ trong ${hours(quiet)} giờ, quá ${allowed.toFixed(1)} giờ theo nhịp gửi của đơn vị.`,
        en: `No dossier data for ${hours(quiet)} hours, longer than the ${allowed.toFixed(1)} hours the unit's own rhythm allows.`,
      });
    }
  }
  if (input.catalog) {
    const maxAge = criteria.catalog.maxAgeDays * 86_400_000;
    if (input.catalog.procedures === 0 || input.at - input.catalog.syncedAt > maxAge) {
      reasons.push({
        code: 'catalog_stale',
        vi: `Danh mục thủ tục rỗng hoặc chưa đồng bộ quá ${criteria.catalog.maxAgeDays} ngày.`,
        en: `The procedure catalogue is empty or older than ${criteria.catalog.maxAgeDays} days.`,
      });
    }
  }
  reasons.push(
    ...reconciliationReasons(input.reconciliation, input.activeDays ?? [], {
      ...criteria.reconciliation,
      required: criteria.legacy.reconciliation === 'required',
    }),
  );
  if (reasons.length === 0) return { status: 'connected', reasons, criteria: used };
  const wasConnected = input.previousStatus === 'connected' || input.previousStatus === 'interrupted';
  if (silent && wasConnected) {
    return {
      status: 'interrupted',
      reasons: [
        {
          code: 'connection_interrupted',
          vi: 'Kết nối bị gián đoạn: nguồn dữ liệu hồ sơ ngừng gửi.',
          en: 'Connection interrupted: the dossier feed stopped.',
        },
        ...reasons,
      ],
      criteria: used,
    };
  }
  return { status: 'partial', reasons, criteria: used };
}
