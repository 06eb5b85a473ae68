import { randomUUID } from 'node:crypto';
import type { Settings } from '../../config/settings.ts';
import type { Unit } from '../../schemas/registry.ts';
import {
  type ConnectionStatus,
  connectionStatuses,
  type Kpis,
  type LatestSnapshot,
  type NationalDay,
  type Period,
  type PeriodKpis,
  periods,
  type UnitRow,
  type UnitSnapshot,
} from '../../schemas/snapshot.ts';
import type { CounterValues } from '../dossier/counters.ts';
import { SENDER_PROFILES } from '../ingest/sender-profiles.ts';
import { existsOn, nameOn, predecessorsOn } from '../registry/lifecycle.ts';
import { addDays, dayOf, quarterMonths } from '../time.ts';
import { asOfDeps } from './as-of.ts';
import {
  criteriaFor,
  evaluateConnection,
  legacyInput,
  type Reason,
  worstRelativeDifference,
} from './compliance.ts';
import { toCsv } from './csv.ts';
import { readWithHistory } from './history.ts';
import { indexScore, kindScore } from './index-score.ts';
import {
  type CatalogFigures,
  type KpiOptions,
  kpiOptions,
  kpis,
  type ServiceFigures,
  serviceFigures,
  sumCounters,
  sumServiceFigures,
} from './kpis.ts';
import type {
  Alert,
  AlertPort,
  EvaluationReadPort,
  ReadPlan,
  RegistryPort,
  SnapshotFiles,
  SnapshotPort,
  StatusRecord,
  StatusStorePort,
  UnitData,
} from './ports.ts';
import { resolveTargets, targetResults } from './targets.ts';

export interface EvaluationDeps {
  config: Settings;
  registry: RegistryPort;
  reader: EvaluationReadPort;
  statuses: StatusStorePort;
  alerts: AlertPort;
  snapshots: SnapshotPort;
  /** The time to evaluate as of; "now" in production, any past time with `--at`. */
  at: number;
  /** When the run happens; differs from `at` only when evaluating the past. */
  now: number;
  concurrency?: number;
  /** How often the evaluation runs (default 15 minutes); the dashboard calls figures stale after three. */
  everyMinutes?: number;
  /** `asOf` (for `--at`) reads only: no status change, no alert, snapshots to an as-of path (`as-of.ts`). */
  mode?: 'live' | 'asOf';
}

export interface EvaluationSummary {
  asOf: string;
  units: number;
  byStatus: Record<string, number>;
  transitions: number;
  alertsSent: number;
  snapshotBytes: number;
  snapshotObjects: number;
  /** Units that could not be evaluated, with why; the others were evaluated and published all the same. */
  failures: { unitCode: string; reason: string }[];
}

interface Calendar {
  today: string;
  month: string;
  year: string;
  seriesDays: string[];
  last7: string[];
  monthDays: string[];
  quarterMonthsBefore: string[];
  yearMonthsBefore: string[];
}

function calendar(at: number, offsetMinutes: number): Calendar {
  const today = dayOf(at, offsetMinutes);
  const month = today.slice(0, 7);
  const year = today.slice(0, 4);
  const seriesDays = Array.from({ length: 90 }, (_, i) => addDays(today, i - 89));
  const monthNumber = Number(today.slice(5, 7));
  const yearMonthsBefore = Array.from(
    { length: monthNumber - 1 },
    (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`,
  );
  return {
    today,
    month,
    year,
    seriesDays,
    last7: seriesDays.slice(-7),
    monthDays: seriesDays.filter((day) => day.startsWith(month)),
    quarterMonthsBefore: quarterMonths(month).filter((m) => m < month),
    yearMonthsBefore,
  };
}

function planFor(cal: Calendar, lookbackDays: number, asOf: number): ReadPlan {
  return {
    asOf,
    unitDays: cal.seriesDays,
    unitMonths: cal.yearMonthsBefore,
    // The month's days too: an agency's open dossiers are overdue only on the days before today.
    agencyDays: [...new Set([...cal.monthDays, ...cal.last7])].sort(),
    agencyMonths: [...cal.yearMonthsBefore, cal.month],
    year: cal.year,
    totalsFrom: addDays(cal.today, -lookbackDays),
    totalsTo: addDays(cal.today, -1),
  };
}

const pick = (map: ReadonlyMap<string, CounterValues>, keys: readonly string[]): CounterValues[] =>
  keys.flatMap((key) => {
    const value = map.get(key);
    return value ? [value] : [];
  });

interface ServiceCounts {
  month: ServiceFigures | null;
  quarter: ServiceFigures | null;
  year: ServiceFigures | null;
}

/** With no catalogue synced, every procedure with online dossiers is outside it. */
function serviceCounts(data: UnitData, cal: Calendar, catalog: CatalogFigures | undefined): ServiceCounts {
  const mm = cal.month.slice(5, 7);
  const quarter = quarterMonths(cal.month)
    .map((m) => m.slice(5, 7))
    .filter((m) => m <= mm);
  const upTo = (months: string[]) => serviceFigures(data.services, months, catalog ? catalog.levels : {});
  const yearMonths = Array.from({ length: Number(mm) }, (_, i) => String(i + 1).padStart(2, '0'));
  return { month: upTo([mm]), quarter: upTo(quarter), year: upTo(yearMonths) };
}

function unitPeriodCounters(data: UnitData, cal: Calendar): Record<Period, CounterValues> {
  const mtd = sumCounters(pick(data.unitDays, cal.monthDays));
  return {
    today: sumCounters(pick(data.unitDays, [cal.today])),
    last7Days: sumCounters(pick(data.unitDays, cal.last7)),
    monthToDate: mtd,
    quarterToDate: sumCounters([...pick(data.unitMonths, cal.quarterMonthsBefore), mtd]),
    yearToDate: sumCounters([...pick(data.unitMonths, cal.yearMonthsBefore), mtd]),
  };
}

function periodKpis(
  counters: Record<Period, CounterValues>,
  catalog: CatalogFigures,
  services: ServiceCounts | undefined,
  config: Settings,
): PeriodKpis {
  // Every period ends today, and a dossier due today is not overdue yet.
  const options = kpiOptions(config, counters.today);
  const servicesFor: Record<Period, ServiceFigures | null> = {
    today: null,
    last7Days: null,
    monthToDate: services?.month ?? null,
    quarterToDate: services?.quarter ?? null,
    yearToDate: services?.year ?? null,
  };
  return Object.fromEntries(
    periods.map((p) => [p, kpis(counters[p], catalog, servicesFor[p], options)]),
  ) as PeriodKpis;
}

/** The previous month's days from its 1st to today's day of the month, cut at the month's end. */
export function previousMonthToDate(today: string): string[] {
  const lastOfPrevious = addDays(`${today.slice(0, 7)}-01`, -1);
  const length = Math.min(Number(today.slice(8, 10)), Number(lastOfPrevious.slice(8, 10)));
  return Array.from({ length }, (_, i) => `${lastOfPrevious.slice(0, 8)}${String(i + 1).padStart(2, '0')}`);
}

function nationalDay(date: string, k: Kpis): NationalDay {
  return {
    date,
    dossiersReceived: k.dossiersReceived,
    dossiersReceivedOnline: k.dossiersReceivedOnline,
    onlineRate: k.onlineRate,
    fullOnlineEligible: k.fullOnlineEligible,
    fullOnlineDossiers: k.fullOnlineDossiers,
    fullOnlineRate: k.fullOnlineRate,
    dossiersWithDueDate: k.dossiersWithDueDate,
    dossiersOverdueOpen: k.dossiersOverdueOpen,
    onTimeDenominator: k.onTimeDenominator,
    dossiersOnTime: k.dossiersOnTime,
    onTimeRate: k.onTimeRate,
  };
}

const NO_CATALOG: CatalogFigures = { procedures: 0, online: 0, fullOnline: 0 };
const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

function alertsHeld(unit: Unit, at: number): 'paused' | 'maintenance' | null {
  if (unit.paused) return 'paused';
  const inWindow = unit.maintenance.some((w) => Date.parse(w.from) <= at && at < Date.parse(w.to));
  return inWindow ? 'maintenance' : null;
}

const STATUS_TEXT: Record<ConnectionStatus, { vi: string; en: string }> = {
  connected: { vi: 'Kết nối đầy đủ', en: 'Fully connected' },
  partial: { vi: 'Kết nối chưa đầy đủ', en: 'Partially connected' },
  interrupted: { vi: 'Kết nối bị gián đoạn', en: 'Connection interrupted' },
  never_connected: { vi: 'Chưa kết nối', en: 'Never connected' },
};

function statusAlert(
  unit: Unit,
  from: ConnectionStatus | undefined,
  to: ConnectionStatus,
  reasons: Reason[],
  at: number,
  now: number,
): Alert {
  const was = from ? STATUS_TEXT[from] : { vi: 'chưa đánh giá', en: 'not yet evaluated' };
  const vi = `[EMC] ${unit.name} (${unit.unitCode}): ${was.vi} → ${STATUS_TEXT[to].vi}.\n${reasons.map((r) => `- ${r.vi}`).join('\n')}`;
  const en = `[EMC] ${unit.name} (${unit.unitCode}): ${was.en} → ${STATUS_TEXT[to].en}.\n${reasons.map((r) => `- ${r.en}`).join('\n')}`;
  return {
    alertId: `status-${unit.unitCode}-${at}-${randomUUID().slice(0, 8)}`,
    kind: 'status_change',
    unitCode: unit.unitCode,
    createdAt: now,
    subject: `[EMC] ${unit.unitCode}: ${STATUS_TEXT[to].vi} / ${STATUS_TEXT[to].en}`,
    text: `${vi}\n\n${en}`,
    data: {
      unitCode: unit.unitCode,
      name: unit.name,
      from: from ?? null,
      to,
      reasons: reasons.map((r) => r.code),
      at: new Date(at).toISOString(),
    },
  };
}

function reminderAlert(unit: Unit, record: StatusRecord, reasons: Reason[], at: number, now: number): Alert {
  const days = ((at - record.since) / 86_400_000).toFixed(1);
  const status = STATUS_TEXT[record.status];
  return {
    alertId: `reminder-${unit.unitCode}-${at}`,
    kind: 'reminder',
    unitCode: unit.unitCode,
    createdAt: now,
    subject: `[EMC] Nhắc nhở / Reminder: ${unit.unitCode} ${status.vi} / ${status.en}`,
    text: `${unit.name} (${unit.unitCode}) vẫn ở trạng thái "${status.vi}" sau ${days} ngày.\n${reasons.map((r) => `- ${r.vi}`).join('\n')}\n\n${unit.name} (${unit.unitCode}) is still "${status.en}" after ${days} days.\n${reasons.map((r) => `- ${r.en}`).join('\n')}`,
    data: {
      unitCode: unit.unitCode,
      status: record.status,
      since: new Date(record.since).toISOString(),
      reasons: reasons.map((r) => r.code),
    },
  };
}

function digestAlert(kind: 'daily' | 'weekly', period: string, rows: UnitRow[], now: number): Alert {
  const failing = rows.filter((row) => row.connection.status !== 'connected');
  const lines = (lang: 'vi' | 'en') =>
    failing
      .map(
        (row) =>
          `- ${row.unitCode} ${row.name}: ${STATUS_TEXT[row.connection.status][lang]}; ${row.connection.reasons.map((r) => r.message[lang]).join(' ')}`,
      )
      .join('\n');
  const label =
    kind === 'daily'
      ? { vi: 'Tổng hợp ngày', en: 'Daily digest' }
      : { vi: 'Tổng hợp tuần', en: 'Weekly digest' };
  return {
    alertId: `digest-${kind}-${period}`,
    kind: kind === 'daily' ? 'daily_digest' : 'weekly_digest',
    unitCode: null,
    createdAt: now,
    subject: `[EMC] ${label.vi} / ${label.en} ${period}: ${failing.length}/${rows.length}`,
    text: `${label.vi} ${period}: ${failing.length} trên ${rows.length} đơn vị chưa kết nối đầy đủ.\n${lines('vi')}\n\n${label.en} ${period}: ${failing.length} of ${rows.length} units are not fully connected.\n${lines('en')}`,
    data: {
      period,
      units: failing.map((row) => ({
        unitCode: row.unitCode,
        status: row.connection.status,
        reasons: row.connection.reasons.map((r) => r.code),
      })),
    },
  };
}

function isoWeek(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - weekday + 3);
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  const week =
    1 +
    Math.round(
      (date.getTime() - firstThursday.getTime()) / 604_800_000 -
        (((firstThursday.getUTCDay() + 6) % 7) - 3) / 7,
    );
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await work(items[index] as T);
      }
    }),
  );
  return out;
}

/**
 * One evaluation: every registered unit's connection status and figures, alerts for every change (exactly
 * once, even when two evaluations race), reminders and digests, then the snapshot files, latest last.
 */
export async function evaluate(input: EvaluationDeps): Promise<EvaluationSummary> {
  const deps = input.mode === 'asOf' ? asOfDeps(input) : input;
  const { config, at, now } = deps;
  const cal = calendar(at, config.time.utcOffsetMinutes);
  const plan = planFor(cal, config.compliance.reconciliation.lookbackDays, at);
  const registered = await deps.registry.listUnits();
  const units = registered
    .filter((unit) => existsOn(unit, cal.today))
    .map((unit) => ({ ...unit, name: nameOn(unit, cal.today) }));
  const lineage = predecessorsOn(registered, cal.today);
  let transitions = 0;

  const judge = async (unit: Unit): Promise<Evaluated> => {
    const predecessors = lineage.get(unit.unitCode) ?? [];
    const data = await readWithHistory(deps.reader, unit.unitCode, predecessors, plan);
    const heard = new Map([...data.heartbeats].filter(([, seen]) => seen <= at));
    const lastEvent =
      data.lastDossierEventAt !== undefined && data.lastDossierEventAt <= at
        ? data.lastDossierEventAt
        : undefined;
    const catalog = data.catalog && data.catalog.syncedAt <= at ? data.catalog : undefined;
    const reconciliation = data.dailyTotals
      .filter((day) => day.reportedAt <= at)
      .map((day) => {
        const counted = data.unitDays.get(day.date) ?? {};
        return {
          date: day.date,
          worstRelativeDifference: worstRelativeDifference(
            {
              received: day.received,
              receivedOnline: day.receivedOnline,
              resolved: day.resolved,
              resolvedOnTime: day.resolvedOnTime,
            },
            {
              received: counted.received ?? 0,
              receivedOnline: counted.receivedOnline ?? 0,
              resolved: counted.resolved ?? 0,
              resolvedOnTime: counted.resolvedOnTime ?? 0,
            },
          ),
        };
      });
    const previous = await deps.statuses.get(unit.unitCode);
    const result = evaluateConnection(
      {
        at,
        systems: unit.systems,
        heartbeats: heard,
        lastDossierEventAt: lastEvent,
        catalog,
        reconciliation,
        previousStatus: previous?.status,
        ...legacyInput(unit.sender, data.unitDays, cal.seriesDays),
      },
      criteriaFor(config, unit.unitCode),
    );
    const held = alertsHeld(unit, at);
    let record = previous;
    if (!previous || previous.status !== result.status) {
      const next: StatusRecord = {
        status: result.status,
        reasonCodes: result.reasons.map((r) => r.code),
        since: at,
        version: (previous?.version ?? 0) + 1,
        lastReminderAt: undefined,
        history: [
          ...(previous?.history ?? []),
          { status: result.status, since: at, reasons: result.reasons.map((r) => r.code) },
        ].slice(-50),
      };
      const alert = held
        ? undefined
        : statusAlert(unit, previous?.status, result.status, result.reasons, at, now);
      if (await deps.statuses.transition(unit.unitCode, previous?.version ?? 0, next, alert)) {
        transitions++;
        record = next;
      } else {
        record = (await deps.statuses.get(unit.unitCode)) ?? next;
      }
    } else if (
      result.status !== 'connected' &&
      !held &&
      at - (previous.lastReminderAt ?? previous.since) >= config.alerts.reminderEveryHours * 3_600_000
    ) {
      await deps.statuses.claimReminder(
        unit.unitCode,
        previous.version,
        previous.lastReminderAt,
        at,
        reminderAlert(unit, previous, result.reasons, at, now),
      );
    }
    const catalogFigures = catalog ?? NO_CATALOG;
    const periodCounters = unitPeriodCounters(data, cal);
    const services = serviceCounts(data, cal, catalog);
    const unitKpis = periodKpis(periodCounters, catalogFigures, services, config);
    const row: UnitRow = {
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
        status: result.status,
        reasons: result.reasons.map((r) => ({ code: r.code, message: { vi: r.vi, en: r.en } })),
        since: iso(record?.since),
        lastHeartbeatAt: iso(heard.size > 0 ? Math.max(...heard.values()) : undefined),
        lastDossierEventAt: iso(lastEvent),
        catalogSyncedAt: iso(catalog?.syncedAt),
        alertsHeld: held,
        criteria: result.criteria,
      },
      kpis: unitKpis,
      ...(unit.sender ? { figureSources: SENDER_PROFILES[unit.sender].figures } : {}),
      targets: targetResults(unitKpis, resolveTargets(config, { unitDefault: unit.targets })),
      score: indexScore(unitKpis.yearToDate, config.index),
    };
    return {
      unit,
      row,
      data,
      periodCounters,
      catalogFigures,
      services,
      history: record?.history ?? [],
    };
  };
  // One unit's failure (a read, a judgement, a status write) never stops the others: its row keeps the last
  // known status, marked stale, and says why.
  const evaluated = await mapLimit(units, deps.concurrency ?? 8, (unit) =>
    judge(unit).catch((error: unknown) => notEvaluated(unit, error, deps, cal)),
  );
  const failures = evaluated.flatMap((entry) =>
    entry.row.evaluation ? [{ unitCode: entry.unit.unitCode, reason: entry.row.evaluation.reason }] : [],
  );
  const counted = evaluated.filter((entry) => !entry.row.evaluation);

  const rows = evaluated.map((entry) => entry.row);
  const sumPeriods = (entries: typeof evaluated): PeriodKpis => {
    const catalogTotal: CatalogFigures = {
      procedures: entries.reduce((s, e) => s + e.catalogFigures.procedures, 0),
      online: entries.reduce((s, e) => s + e.catalogFigures.online, 0),
      fullOnline: entries.reduce((s, e) => s + e.catalogFigures.fullOnline, 0),
    };
    const services: ServiceCounts = {
      month: sumServiceFigures(entries.map((e) => e.services.month)),
      quarter: sumServiceFigures(entries.map((e) => e.services.quarter)),
      year: sumServiceFigures(entries.map((e) => e.services.year)),
    };
    const counters = Object.fromEntries(
      periods.map((p) => [p, sumCounters(entries.map((e) => e.periodCounters[p]))]),
    ) as Record<Period, CounterValues>;
    return periodKpis(counters, catalogTotal, services, config);
  };
  const nationalKpis = sumPeriods(counted);
  const byStatus = Object.fromEntries(
    connectionStatuses.map((s) => [s, rows.filter((r) => r.connection.status === s).length]),
  );
  const kinds = [...new Set(units.map((u) => u.kind))];
  const pastOptions: KpiOptions = kpiOptions(config);
  const nationalOver = (days: readonly string[]): Kpis =>
    kpis(
      sumCounters(evaluated.flatMap((e) => pick(e.data.unitDays, days))),
      NO_CATALOG,
      null,
      days.includes(cal.today)
        ? kpiOptions(config, sumCounters(evaluated.flatMap((e) => pick(e.data.unitDays, [cal.today]))))
        : pastOptions,
    );
  const generatedAt = new Date(now).toISOString();
  const latest: LatestSnapshot = {
    schemaVersion: 1,
    generatedAt,
    asOf: new Date(at).toISOString(),
    timeZone: config.time.zone,
    connection: {
      registered: rows.length,
      connected: byStatus.connected ?? 0,
      notConnected: rows.length - (byStatus.connected ?? 0),
      byStatus,
    },
    national: {
      kpis: nationalKpis,
      previous7Days: kpis(
        sumCounters(counted.flatMap((e) => pick(e.data.unitDays, cal.seriesDays.slice(-14, -7)))),
        NO_CATALOG,
        null,
        pastOptions,
      ),
      previous: {
        today: nationalOver([addDays(cal.today, -1)]),
        last7Days: nationalOver(cal.seriesDays.slice(-14, -7)),
        monthToDate: nationalOver(previousMonthToDate(cal.today)),
      },
      series: cal.seriesDays.map((date) => nationalDay(date, nationalOver([date]))),
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
            kpis: sumPeriods(entries),
            score: kindScore(
              entries.map((e) => e.row),
              config.index,
            ),
          },
        ];
      }),
    ),
    evaluation: { everyMinutes: deps.everyMinutes ?? 15, failedUnits: failures.map((f) => f.unitCode) },
    units: rows,
  };
  // A unit that failed keeps its last published file.
  const unitFiles: UnitSnapshot[] = counted.map((entry) => unitSnapshot(entry, cal, config, generatedAt));
  const files: SnapshotFiles = { latest, units: unitFiles, csv: toCsv(rows) };
  const published = await deps.snapshots.publish(files);

  const day = cal.today;
  const minutesIntoDay = (at + config.time.utcOffsetMinutes * 60_000) % 86_400_000;
  if (minutesIntoDay >= 8 * 3_600_000) {
    await deps.statuses.claimDigest('daily', day, digestAlert('daily', day, rows, now));
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday === config.alerts.weeklyDigestWeekday) {
      const week = isoWeek(day);
      await deps.statuses.claimDigest('weekly', week, digestAlert('weekly', week, rows, now));
    }
  }
  const alertsSent = await drainAlerts(deps);
  return {
    asOf: latest.asOf,
    units: rows.length,
    byStatus,
    transitions,
    alertsSent,
    snapshotBytes: published.bytes,
    snapshotObjects: published.objects,
    failures,
  };
}

interface Evaluated {
  unit: Unit;
  row: UnitRow;
  data: UnitData;
  periodCounters: Record<Period, CounterValues>;
  catalogFigures: CatalogFigures;
  services: ServiceCounts;
  history: StatusRecord['history'];
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
async function notEvaluated(
  unit: Unit,
  error: unknown,
  deps: EvaluationDeps,
  cal: Calendar,
): Promise<Evaluated> {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const previous = await deps.statuses.get(unit.unitCode).catch(() => undefined);
  const status = previous?.status ?? 'never_connected';
  const periodCounters = unitPeriodCounters(EMPTY_DATA, cal);
  const unitKpis = periodKpis(periodCounters, NO_CATALOG, undefined, deps.config);
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
      score: indexScore(unitKpis.yearToDate, deps.config.index),
      evaluation: { failed: true, reason, stale: true },
    },
    data: EMPTY_DATA,
    periodCounters,
    catalogFigures: NO_CATALOG,
    services: { month: null, quarter: null, year: null },
    history: previous?.history ?? [],
  };
}

/** Publishes queued alerts; each is claimed first, so two evaluations never send the same one. */
export async function drainAlerts(
  deps: Pick<EvaluationDeps, 'statuses' | 'alerts' | 'now'>,
): Promise<number> {
  let sent = 0;
  for (const alert of await deps.statuses.pendingAlerts()) {
    if (!(await deps.statuses.claimAlert(alert.alertId, deps.now))) continue;
    await deps.alerts.publish(alert);
    await deps.statuses.markSent(alert.alertId);
    sent++;
  }
  return sent;
}

function unitSnapshot(
  entry: {
    unit: Unit;
    row: UnitRow;
    data: UnitData;
    catalogFigures: CatalogFigures;
    history: StatusRecord['history'];
  },
  cal: Calendar,
  config: Settings,
  generatedAt: string,
): UnitSnapshot {
  const { unit, row, data } = entry;
  const registered = new Map(unit.agencies.map((a) => [a.agencyCode, a]));
  const agencyCodes = new Set<string>(registered.keys());
  for (const byAgency of [...data.agencyDays.values(), ...data.agencyMonths.values()])
    for (const code of byAgency.keys()) agencyCodes.add(code);
  const agencyCounters = (code: string): Record<Period, CounterValues> => {
    const days = (list: string[]) =>
      list.flatMap((d) => {
        const v = data.agencyDays.get(d)?.get(code);
        return v ? [v] : [];
      });
    const months = (list: string[]) =>
      list.flatMap((m) => {
        const v = data.agencyMonths.get(m)?.get(code);
        return v ? [v] : [];
      });
    const mtd = sumCounters(days(cal.monthDays));
    return {
      today: sumCounters(days([cal.today])),
      last7Days: sumCounters(days(cal.last7)),
      monthToDate: mtd,
      quarterToDate: sumCounters([...months(cal.quarterMonthsBefore), mtd]),
      yearToDate: sumCounters([...months(cal.yearMonthsBefore), mtd]),
    };
  };
  const agencies = [...agencyCodes].sort().map((code) => {
    const info = registered.get(code);
    const figures = periodKpis(agencyCounters(code), NO_CATALOG, undefined, config);
    return {
      agencyCode: code,
      name: info?.name ?? null,
      level: info?.level ?? null,
      kpis: figures,
      targets: targetResults(
        figures,
        resolveTargets(config, {
          agency: info?.targets,
          level: info?.level,
          unitByLevel: unit.targetsByLevel,
          unitDefault: unit.targets,
        }),
      ),
    };
  });
  return {
    schemaVersion: 1,
    generatedAt,
    unit: row,
    series: cal.seriesDays.map((date) => ({
      date,
      kpis: kpis(
        data.unitDays.get(date) ?? {},
        entry.catalogFigures,
        null,
        kpiOptions(config, date === cal.today ? data.unitDays.get(date) : undefined),
      ) satisfies Kpis,
    })),
    agencies,
    history: entry.history.map((h) => ({
      status: h.status,
      since: new Date(h.since).toISOString(),
      reasons: h.reasons,
    })),
  };
}
