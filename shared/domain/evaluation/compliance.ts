import type { Settings } from '../../config/settings.ts';
import type { SenderProfileName } from '../../schemas/legacy-emc.ts';
import type { ConnectionStatus } from '../../schemas/snapshot.ts';

type Criteria = Omit<Settings['compliance'], 'unitOverrides'>;

export interface ConnectionInput {
  at: number;
  systems: readonly string[];
  /** Newest heartbeat per system, only those received before `at`. */
  heartbeats: ReadonlyMap<string, number>;
  lastDossierEventAt: number | undefined;
  catalog: { syncedAt: number; procedures: number } | undefined;
  /** Days in the lookback with the unit's own totals, and how far each is from the counted figures. */
  reconciliation: { date: string; worstRelativeDifference: number }[];
  /** The status the unit had before this evaluation, which tells an interruption from a partial connection. */
  previousStatus: ConnectionStatus | undefined;
  /**
   * Present for a unit on a legacy sender profile: it is judged on the legacy criteria. `activity` says, per
   * day up to today (oldest first), whether dossiers were received or resolved: the unit's own rhythm.
   */
  legacy?: { sender: SenderProfileName; activity: readonly boolean[] };
}

export interface Reason {
  code: string;
  vi: string;
  en: string;
}

export interface ConnectionResult {
  status: ConnectionStatus;
  reasons: Reason[];
  /** Which criteria were applied, for the unit's row. */
  criteria: { sender: SenderProfileName | null; applied: string[] };
}

const API_CRITERIA = ['heartbeat', 'dossier_feed', 'catalog', 'reconciliation'];

/** Per-unit criteria: the defaults, overlaid with the unit's overrides from configuration. */
export function criteriaFor(config: Settings, unitCode: string): Criteria {
  const override = config.compliance.unitOverrides[unitCode] ?? {};
  return {
    heartbeat: { ...config.compliance.heartbeat, ...override.heartbeat },
    dossierFeed: { ...config.compliance.dossierFeed, ...override.dossierFeed },
    catalog: { ...config.compliance.catalog, ...override.catalog },
    reconciliation: { ...config.compliance.reconciliation, ...override.reconciliation },
    legacy: {
      feedRhythm: { ...config.compliance.legacy.feedRhythm, ...override.legacy?.feedRhythm },
      reconciliation: override.legacy?.reconciliation ?? config.compliance.legacy.reconciliation,
    },
  };
}

const hours = (ms: number): string => (ms / 3_600_000).toFixed(1);

/**
 * The connection status of one unit against the four failure modes the ministry names: not connected at
 * all, connected but not comprehensively, data not reconciled (chưa đối soát), and connection interrupted.
 * A unit that never sent anything is never "fine".
 */
export function evaluateConnection(input: ConnectionInput, criteria: Criteria): ConnectionResult {
  if (input.legacy) return evaluateLegacyConnection(input, input.legacy, criteria);
  const everSent =
    input.heartbeats.size > 0 || input.lastDossierEventAt !== undefined || input.catalog !== undefined;
  if (!everSent) {
    return {
      criteria: { sender: null, applied: API_CRITERIA },
      status: 'never_connected',
      reasons: [
        {
          code: 'no_data_ever',
          vi: 'Chưa kết nối: hệ thống chưa từng gửi dữ liệu.',
          en: 'Not connected: no data has ever arrived.',
        },
      ],
    };
  }
  const reasons: Reason[] = [];
  const grace = criteria.heartbeat.graceSeconds * 1000;
  let heardSystems = 0;
  for (const system of input.systems) {
    const seen = input.heartbeats.get(system);
    if (seen === undefined) {
      reasons.push({
        code: `heartbeat_missing:${system}`,
        vi: `Hệ thống ${system} chưa từng gửi tín hiệu kết nối.`,
        en: `System ${system} has never sent a heartbeat.`,
      });
    } else if (input.at - seen > grace) {
      reasons.push({
        code: `heartbeat_late:${system}`,
        vi: `Hệ thống ${system} mất tín hiệu kết nối ${hours(input.at - seen)} giờ.`,
        en: `System ${system} has not sent a heartbeat for ${hours(input.at - seen)} hours.`,
      });
    } else heardSystems++;
  }
  if (input.systems.length === 0 && input.heartbeats.size === 0) {
    reasons.push({
      code: 'heartbeat_missing',
      vi: 'Chưa có hệ thống nào gửi tín hiệu kết nối.',
      en: 'No system has sent a heartbeat.',
    });
  }
  const silence = criteria.dossierFeed.silenceHours * 3_600_000;
  if (input.lastDossierEventAt === undefined) {
    reasons.push({
      code: 'dossier_feed_missing',
      vi: 'Chưa gửi dữ liệu hồ sơ.',
      en: 'No dossier data has arrived.',
    });
  } else if (input.at - input.lastDossierEventAt > silence) {
    reasons.push({
      code: 'dossier_feed_silent',
      vi: `Không có dữ liệu hồ sơ trong ${hours(input.at - input.lastDossierEventAt)} giờ.`,
      en: `No dossier data for ${hours(input.at - input.lastDossierEventAt)} hours.`,
    });
  }
  const maxAge = criteria.catalog.maxAgeDays * 86_400_000;
  if (!input.catalog) {
    reasons.push({
      code: 'catalog_missing',
      vi: 'Chưa đồng bộ danh mục thủ tục.',
      en: 'The procedure catalogue was never synced.',
    });
  } else if (input.catalog.procedures === 0) {
    reasons.push({
      code: 'catalog_empty',
      vi: 'Danh mục thủ tục rỗng.',
      en: 'The procedure catalogue is empty.',
    });
  } else if (input.at - input.catalog.syncedAt > maxAge) {
    reasons.push({
      code: 'catalog_stale',
      vi: `Danh mục thủ tục chưa đồng bộ quá ${criteria.catalog.maxAgeDays} ngày.`,
      en: `The procedure catalogue is older than ${criteria.catalog.maxAgeDays} days.`,
    });
  }
  if (input.reconciliation.length === 0) {
    reasons.push({
      code: 'reconciliation_missing',
      vi: 'Chưa gửi số liệu đối soát.',
      en: 'No daily totals were sent for reconciliation.',
    });
  } else {
    const off = input.reconciliation.filter(
      (day) => day.worstRelativeDifference > criteria.reconciliation.tolerance,
    );
    if (off.length > 0) {
      reasons.push({
        code: 'reconciliation_mismatch',
        vi: `Số liệu đối soát lệch quá ${(criteria.reconciliation.tolerance * 100).toFixed(1)}% ở ${off.length} ngày (${off.map((d) => d.date).join(', ')}).`,
        en: `Reported totals differ from counted figures by more than ${(criteria.reconciliation.tolerance * 100).toFixed(1)}% on ${off.length} day(s) (${off.map((d) => d.date).join(', ')}).`,
      });
    }
  }
  const applied = { sender: null, applied: API_CRITERIA };
  if (reasons.length === 0) return { status: 'connected', reasons, criteria: applied };
  // With no system registered, any heartbeat still within the grace period shows the connection alive.
  const heard =
    input.systems.length > 0
      ? heardSystems
      : [...input.heartbeats.values()].filter((seen) => input.at - seen <= grace).length;
  const lostAllHeartbeats = input.heartbeats.size > 0 && heard === 0;
  const wasConnected = input.previousStatus === 'connected' || input.previousStatus === 'interrupted';
  if (lostAllHeartbeats && wasConnected) {
    return {
      status: 'interrupted',
      reasons: [
        {
          code: 'connection_interrupted',
          vi: 'Kết nối bị gián đoạn: mất tín hiệu từ mọi hệ thống.',
          en: 'Connection interrupted: heartbeats lost from every system.',
        },
        ...reasons,
      ],
      criteria: applied,
    };
  }
  return { status: 'partial', reasons, criteria: applied };
}

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
function evaluateLegacyConnection(
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
  const off = input.reconciliation.filter(
    (day) => day.worstRelativeDifference > criteria.reconciliation.tolerance,
  );
  if (input.reconciliation.length === 0 && criteria.legacy.reconciliation === 'required') {
    reasons.push({
      code: 'reconciliation_missing',
      vi: 'Chưa gửi số liệu đối soát.',
      en: 'No daily totals were sent for reconciliation.',
    });
  } else if (off.length > 0) {
    reasons.push({
      code: 'reconciliation_mismatch',
      vi: `Số liệu đối soát lệch quá ${(criteria.reconciliation.tolerance * 100).toFixed(1)}% ở ${off.length} ngày (${off.map((d) => d.date).join(', ')}).`,
      en: `Reported totals differ from counted figures by more than ${(criteria.reconciliation.tolerance * 100).toFixed(1)}% on ${off.length} day(s) (${off.map((d) => d.date).join(', ')}).`,
    });
  }
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

/** The largest relative difference between reported and counted totals for one day. */
export function worstRelativeDifference(
  reported: Record<string, number>,
  counted: Record<string, number>,
): number {
  let worst = 0;
  for (const [name, value] of Object.entries(reported)) {
    const actual = counted[name] ?? 0;
    const base = Math.max(value, actual);
    if (base === 0) continue;
    worst = Math.max(worst, Math.abs(value - actual) / base);
  }
  return worst;
}
