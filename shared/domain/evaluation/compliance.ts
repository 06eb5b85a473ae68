import type { Settings } from '../../config/settings.ts';
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
}

export interface Reason {
  code: string;
  vi: string;
  en: string;
}

export interface ConnectionResult {
  status: ConnectionStatus;
  reasons: Reason[];
}

/** Per-unit criteria: the defaults, overlaid with the unit's overrides from configuration. */
export function criteriaFor(config: Settings, unitCode: string): Criteria {
  const override = config.compliance.unitOverrides[unitCode] ?? {};
  return {
    heartbeat: { ...config.compliance.heartbeat, ...override.heartbeat },
    dossierFeed: { ...config.compliance.dossierFeed, ...override.dossierFeed },
    catalog: { ...config.compliance.catalog, ...override.catalog },
    reconciliation: { ...config.compliance.reconciliation, ...override.reconciliation },
  };
}

const hours = (ms: number): string => (ms / 3_600_000).toFixed(1);

/**
 * The connection status of one unit against the four failure modes the ministry names: not connected at
 * all, connected but not comprehensively, data not reconciled (chưa đối soát), and connection interrupted.
 * A unit that never sent anything is never "fine".
 */
export function evaluateConnection(input: ConnectionInput, criteria: Criteria): ConnectionResult {
  const everSent =
    input.heartbeats.size > 0 || input.lastDossierEventAt !== undefined || input.catalog !== undefined;
  if (!everSent) {
    return {
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
  if (reasons.length === 0) return { status: 'connected', reasons };
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
    };
  }
  return { status: 'partial', reasons };
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
