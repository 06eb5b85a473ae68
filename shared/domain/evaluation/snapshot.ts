import type { Settings } from '../../config/settings.ts';
import type { Unit } from '../../schemas/registry.ts';
import {
  type ConnectionStatus,
  connectionStatuses,
  type Kpis,
  type LatestSnapshot,
  type PeriodKpis,
  periods,
  type UnitRow,
  type UnitSnapshot,
} from '../../schemas/snapshot.ts';
import { figureSources, SENDER_PROFILES } from '../ingest/sender-profiles.ts';
import type { Predecessor } from '../registry/lifecycle.ts';
import { addDays } from '../time.ts';
import type { ConnectionResult } from './compliance.ts';
import type { ConnectionDetail } from './connection-detail.ts';
import {
  agencyFigures,
  groupKpis,
  kpisOverDays,
  NO_CATALOG,
  NO_SERVICES,
  nationalDay,
  periodKpis,
  type UnitFigures,
} from './figures.ts';
import { indexScore, kindScore } from './index-score.ts';
import { kpiOptions, kpis, sumCounters } from './kpis.ts';
import {
  type Calendar,
  type MonthToDate,
  periodCounters,
  previousMonthToDate,
  yearEarlier,
} from './periods.ts';
import type { StatusRecord, UnitData } from './ports.ts';
import type { ConnectionSignals } from './signals.ts';
import { resolveTargets, targetResults } from './targets.ts';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** One unit as an evaluation leaves it: its row, what its figures are made of, and its status history. */
export interface Evaluated {
  unit: Unit;
  row: UnitRow;
  data: UnitData;
  figures: UnitFigures;
  history: StatusRecord['history'];
  /** Heartbeats and reconciliation in detail, for the unit's file; absent for a unit not evaluated. */
  connection?: ConnectionDetail;
}

export function unitRow(
  unit: Unit,
  predecessors: readonly Predecessor[],
  signals: ConnectionSignals,
  result: ConnectionResult,
  record: StatusRecord | undefined,
  held: 'paused' | 'maintenance' | null,
  figures: UnitFigures,
  config: Settings,
  confirmations: number,
): UnitRow {
  return {
    unitCode: unit.unitCode,
    name: unit.name,
    kind: unit.kind,
    predecessors: predecessors.map((p) => ({
      unitCode: p.unitCode,
      name: p.name,
      retiredOn: p.retiredOn,
      whole: p.filters.length === 0,
    })),
    connection: {
      status: record?.status ?? result.status,
      reasons: result.reasons.map((r) => ({ code: r.code, message: { vi: r.vi, en: r.en } })),
      since: iso(record?.since),
      ...(record?.pending
        ? {
            pending: {
              status: record.pending.status,
              count: record.pending.count,
              of: confirmations,
              since: new Date(record.pending.since).toISOString(),
            },
          }
        : {}),
      lastHeartbeatAt: iso(
        signals.heartbeats.size > 0 ? Math.max(...signals.heartbeats.values()) : undefined,
      ),
      lastDossierEventAt: iso(signals.lastDossierEventAt),
      catalogSyncedAt: iso(signals.catalog?.syncedAt),
      alertsHeld: held,
      criteria: result.criteria,
      ...(result.coverage ? { coverage: result.coverage } : {}),
    },
    kpis: figures.kpis,
    ...(unit.sender
      ? { figureSources: figureSources(SENDER_PROFILES[unit.sender], signals.catalog !== undefined) }
      : {}),
    targets: targetResults(
      figures.kpis,
      resolveTargets(config, { unitDefault: unit.targets, unitByLevel: unit.targetsByLevel }),
    ),
    score: rankedScore(indexScore(figures.kpis.yearToDate, config.index), record?.status ?? result.status),
  };
}

/**
 * Units that are not fully connected are not evaluated for the index, as the ministry's rule says: no score,
 * no band, not ranked. The groups keep their maximum so the page can say what would be scored.
 */
export function rankedScore(score: UnitRow['score'], status: ConnectionStatus): UnitRow['score'] {
  if (status === 'connected') return score;
  return {
    ...score,
    total: null,
    scaled: null,
    band: null,
    notEvaluated: 'not_connected',
    groups: Object.fromEntries(
      Object.entries(score.groups).map(([name, group]) => [name, { ...group, score: null }]),
    ),
  };
}

const EMPTY_DATA: UnitData = {
  heartbeats: new Map(),
  lastDossierEventAt: undefined,
  catalog: undefined,
  dailyTotals: [],
  unitDays: new Map(),
  unitMonths: new Map(),
  agencyDays: new Map(),
  agencyMonths: new Map(),
  services: [],
};

/** The row of a unit that could not be evaluated: its last known status, stale, with empty figures. */
export function notEvaluated(
  unit: Unit,
  error: unknown,
  previous: StatusRecord | undefined,
  cal: Calendar,
  config: Settings,
): Evaluated {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const status: ConnectionStatus = previous?.status ?? 'never_connected';
  const counters = periodCounters({ day: () => undefined, month: () => undefined }, cal);
  const unitKpis = periodKpis(counters, NO_CATALOG, undefined, config);
  return {
    unit,
    row: {
      unitCode: unit.unitCode,
      name: unit.name,
      kind: unit.kind,
      predecessors: [],
      connection: {
        status,
        reasons: [
          {
            code: 'evaluation_failed',
            message: {
              vi: `Lần đánh giá này không đánh giá được đơn vị; trạng thái là trạng thái gần nhất đã biết. Lý do: ${reason}`,
              en: `This unit could not be evaluated this time; the status is the last one known. Reason: ${reason}`,
            },
          },
        ],
        since: iso(previous?.since),
        lastHeartbeatAt: null,
        lastDossierEventAt: null,
        catalogSyncedAt: null,
        alertsHeld: null,
      },
      kpis: unitKpis,
      targets: {},
      score: rankedScore(indexScore(unitKpis.yearToDate, config.index), status),
      evaluation: { failed: true, reason, stale: true },
    },
    data: EMPTY_DATA,
    figures: { periodCounters: counters, catalogFigures: NO_CATALOG, services: NO_SERVICES, kpis: unitKpis },
    history: previous?.history ?? [],
  };
}

/**
 * `latest.json`: the connection count, the national figures (summed over the units evaluated this time, a
 * failed one left out), the figures per kind, and every unit's row.
 */
export function latestSnapshot(
  evaluated: readonly Evaluated[],
  cal: Calendar,
  config: Settings,
  times: { at: number; now: number; everyMinutes: number },
): LatestSnapshot {
  const rows = evaluated.map((entry) => entry.row);
  const counted = evaluated.filter((entry) => !entry.row.evaluation);
  const failedUnits = evaluated.filter((entry) => entry.row.evaluation).map((e) => e.unit.unitCode);
  const nationalKpis = groupKpis(
    counted.map((e) => e.figures),
    config,
  );
  const over = (datas: readonly UnitData[], days: readonly string[]) =>
    kpisOverDays(datas, days, config, cal.today);
  const byStatus = Object.fromEntries(
    connectionStatuses.map((s) => [s, rows.filter((r) => r.connection.status === s).length]),
  );
  const kinds = [...new Set(evaluated.map((e) => e.unit.kind))];
  const allData = evaluated.map((e) => e.data);
  const previous7 = cal.seriesDays.slice(-14, -7);
  return {
    schemaVersion: 1,
    generatedAt: new Date(times.now).toISOString(),
    asOf: new Date(times.at).toISOString(),
    timeZone: config.time.zone,
    connection: {
      registered: rows.length,
      connected: byStatus.connected ?? 0,
      notConnected: rows.length - (byStatus.connected ?? 0),
      byStatus,
    },
    national: {
      kpis: nationalKpis,
      previous7Days: over(
        counted.map((e) => e.data),
        previous7,
      ),
      previous: {
        today: over(allData, [addDays(cal.today, -1)]),
        last7Days: over(allData, previous7),
        monthToDate: over(allData, previousMonthToDate(cal.today)),
      },
      yearAgo: yearAgoKpis(
        counted.map((e) => e.data),
        cal,
        config,
      ),
      series: cal.seriesDays.map((date) => nationalDay(date, over(allData, [date]))),
      targets: targetResults(nationalKpis, resolveTargets(config)),
      score: indexScore(nationalKpis.yearToDate, config.index),
    },
    byKind: Object.fromEntries(
      kinds.map((kind) => {
        const entries = counted.filter((e) => e.unit.kind === kind);
        return [
          kind,
          {
            units: entries.length,
            connected: entries.filter((e) => e.row.connection.status === 'connected').length,
            kpis: groupKpis(
              entries.map((e) => e.figures),
              config,
            ),
            score: kindScore(
              entries.map((e) => e.row),
              config.index,
            ),
          },
        ];
      }),
    ),
    evaluation: { everyMinutes: times.everyMinutes, failedUnits },
    units: rows,
  };
}

/**
 * Each period's figures over the same days a year earlier, summed over the units, without catalogue. A year
 * with no counters gives no dossiers, so its rates are null: the dashboard shows a dash there.
 */
function yearAgoKpis(datas: readonly UnitData[], cal: Calendar, config: Settings): PeriodKpis {
  const before = yearEarlier(cal);
  const counters = datas.map((data) =>
    periodCounters({ day: (d) => data.unitDays.get(d), month: (m) => data.unitMonths.get(m) }, before),
  );
  // Those periods ended a year ago: every dossier still open with a due date in them is overdue now.
  const options = kpiOptions(config);
  return Object.fromEntries(
    periods.map((p) => [p, kpis(sumCounters(counters.map((c) => c[p])), NO_CATALOG, null, options)]),
  ) as PeriodKpis;
}

/** `units/<unitCode>.json`: the unit's row, its 90-day series, its agencies and its status history. */
export function unitSnapshot(
  entry: Evaluated,
  cal: Calendar,
  config: Settings,
  generatedAt: string,
  agencyMonthToDate: MonthToDate,
): UnitSnapshot {
  const { unit, row, data } = entry;
  return {
    schemaVersion: 1,
    generatedAt,
    unit: row,
    series: cal.seriesDays.map((date) => ({
      date,
      kpis: kpis(
        data.unitDays.get(date) ?? {},
        entry.figures.catalogFigures,
        null,
        kpiOptions(config, date === cal.today ? data.unitDays.get(date) : undefined),
      ) satisfies Kpis,
    })),
    agencies: agencyFigures(unit, data, cal, config, agencyMonthToDate),
    history: entry.history.map((h) => ({
      status: h.status,
      since: new Date(h.since).toISOString(),
      reasons: h.reasons,
    })),
    ...(entry.connection ? { connection: entry.connection } : {}),
  };
}
