import type { Settings } from '../../config/settings.ts';
import type { SenderProfileName } from '../../schemas/legacy-emc.ts';
import type { ConnectionStatus } from '../../schemas/snapshot.ts';
import type { Coverage } from './coverage.ts';
import { evaluateLegacyConnection } from './legacy-compliance.ts';
import { type ReportedDay, reconciliationReasons } from './reconciliation-rule.ts';

export type Criteria = Omit<Settings['compliance'], 'unitOverrides'>;

export interface ConnectionInput {
  at: number;
  systems: readonly string[];
  /** Newest heartbeat per system, only those received before `at`. */
  heartbeats: ReadonlyMap<string, number>;
  lastDossierEventAt: number | undefined;
  catalog: { syncedAt: number; procedures: number; online?: number } | undefined;
  /** Days in the lookback the unit reported totals for (by `at`), each figure as reported and as counted. */
  reconciliation: ReportedDay[];
  /** Days in the lookback on which dossiers were counted: those a unit that posts totals must report. */
  activeDays?: readonly string[];
  /**
   * Dossiers received over the flow window ending today, and the unit's own mean for a window of that length
   * over the days of the series before it: the feed's real flow against its history.
   */
  flow?: { recent: number; historicalMean: number };
  /** How often the evaluation runs: a heartbeat's grace covers at least two intervals. */
  evaluationEveryMs?: number;
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
  /** The coverage shares (`coverage.ts`), published whether or not they were judged. */
  coverage?: Coverage;
}

const API_CRITERIA = ['heartbeat', 'dossier_feed', 'catalog', 'reconciliation'];

/** Per-unit criteria: the defaults, overlaid with the unit's overrides from configuration. */
export function criteriaFor(config: Settings, unitCode: string): Criteria {
  const override = config.compliance.unitOverrides[unitCode] ?? {};
  return {
    heartbeat: { ...config.compliance.heartbeat, ...override.heartbeat },
    dossierFeed: { ...config.compliance.dossierFeed, ...override.dossierFeed },
    catalog: { ...config.compliance.catalog, ...override.catalog },
    stability: { ...config.compliance.stability, ...override.stability },
    reconciliation: { ...config.compliance.reconciliation, ...override.reconciliation },
    feedRhythm: { ...config.compliance.feedRhythm, ...override.feedRhythm },
    coverage: { ...config.compliance.coverage, ...override.coverage },
    legacy: {
      feedRhythm: { ...config.compliance.legacy.feedRhythm, ...override.legacy?.feedRhythm },
      reconciliation: override.legacy?.reconciliation ?? config.compliance.legacy.reconciliation,
    },
  };
}

export const hours = (ms: number): string => (ms / 3_600_000).toFixed(1);

/**
 * The least real flow a feed needs over its window, in whole dossiers: an event every 48 hours that counts
 * nothing is not a feed.
 */
export function requiredFlow(
  historicalMean: number,
  onlineProcedures: number,
  feed: Criteria['dossierFeed'],
): number {
  return Math.ceil(
    Math.max(
      feed.minDossiers,
      feed.minShareOfHistory * historicalMean,
      feed.minPerOnlineProcedure * onlineProcedures,
    ) - 1e-9,
  );
}

/** The evaluation's default interval: every 15 minutes. */
export const DEFAULT_EVALUATION_EVERY_MS = 15 * 60_000;

/**
 * How long a system may go without a heartbeat before it is late: the configured grace, but never less than
 * `missedHeartbeats` of the unit's own expected intervals, nor than two evaluation intervals, so one late
 * heartbeat between two evaluations never reads as an interruption.
 */
export function heartbeatGraceMs(heartbeat: Criteria['heartbeat'], evaluationEveryMs: number): number {
  return Math.max(
    heartbeat.graceSeconds * 1000,
    heartbeat.missedHeartbeats * heartbeat.expectedEverySeconds * 1000,
    2 * evaluationEveryMs,
  );
}

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
  const grace = heartbeatGraceMs(criteria.heartbeat, input.evaluationEveryMs ?? DEFAULT_EVALUATION_EVERY_MS);
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
  if (input.lastDossierEventAt !== undefined && input.flow) {
    const needed = requiredFlow(input.flow.historicalMean, input.catalog?.online ?? 0, criteria.dossierFeed);
    if (input.flow.recent < needed) {
      const days = criteria.dossierFeed.flowWindowDays;
      reasons.push({
        code: 'dossier_feed_thin',
        vi: `Chỉ tiếp nhận ${input.flow.recent} hồ sơ trong ${days} ngày, dưới mức tối thiểu ${needed} theo danh mục và lịch sử của đơn vị.`,
        en: `Only ${input.flow.recent} dossier(s) received in ${days} days, below the minimum of ${needed} for the unit's catalogue and history.`,
      });
    }
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
  reasons.push(
    ...reconciliationReasons(input.reconciliation, input.activeDays ?? [], criteria.reconciliation),
  );
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
