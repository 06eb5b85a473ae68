import type { Settings } from '../../config/settings.ts';
import type { Unit } from '../../schemas/registry.ts';
import { existsOn, nameOn, predecessorsOn } from '../registry/lifecycle.ts';
import { drainAlerts, holdAlert } from './alerts.ts';
import { asOfDeps } from './as-of.ts';
import { connectionDetail } from './connection-detail.ts';
import { withCoverageReads } from './coverage.ts';
import { toCsv } from './csv.ts';
import { queueDigests } from './digests.ts';
import { unitFigures } from './figures.ts';
import { judgeUnit } from './judge.ts';
import { mapLimit } from './map-limit.ts';
import { calendar, planFor } from './periods.ts';
import type { AlertPort, EvaluationReadPort, RegistryPort, SnapshotPort, StatusStorePort } from './ports.ts';
import { type Judged, recordDecision } from './record.ts';
import { type Evaluated, latestSnapshot, notEvaluated, unitRow, unitSnapshot } from './snapshot.ts';
import { isMassChange } from './status-machine.ts';

export { drainAlerts } from './alerts.ts';
export { previousMonthToDate } from './periods.ts';

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

/**
 * One evaluation: every registered unit's connection status and figures, alerts for every change (exactly
 * once, even when two evaluations race), reminders and digests, then the snapshot files, latest last.
 */
export async function evaluate(input: EvaluationDeps): Promise<EvaluationSummary> {
  const deps = input.mode === 'asOf' ? asOfDeps(input) : input;
  const { config, at, now } = deps;
  const cal = calendar(at, config.time.utcOffsetMinutes);
  // An agency's month is summed by its days: its open dossiers are overdue only on the days before today, and
  // an evaluation of the past must not count the days after it.
  const plan = withCoverageReads(
    planFor(cal, config.compliance.reconciliation.lookbackDays, at, 'days'),
    cal,
    config.compliance.coverage.windowDays,
  );
  const registered = await deps.registry.listUnits();
  const units = registered
    .filter((unit) => existsOn(unit, cal.today))
    .map((unit) => ({ ...unit, name: nameOn(unit, cal.today) }));
  const lineage = predecessorsOn(registered, cal.today);
  const times = { at, now };
  const everyMs = (deps.everyMinutes ?? 15) * 60_000;

  // Read and judge every unit; nothing is written yet.
  const context = { ...deps, plan, cal };
  const judge = (unit: Unit): Promise<Judged> => judgeUnit(context, unit, lineage.get(unit.unitCode) ?? []);
  // One unit's failure (a read, a judgement, a status write) never stops the others: its row keeps the last
  // known status, marked stale, and says why.
  const failed = async (unit: Unit, error: unknown): Promise<Evaluated> => {
    const previous = await deps.statuses.get(unit.unitCode).catch(() => undefined);
    return notEvaluated(unit, error, previous, cal, config);
  };
  const judged = await mapLimit(units, deps.concurrency ?? 8, (unit) =>
    judge(unit).then(
      (ok) => ({ ok }),
      (error: unknown) => ({ unit, error }),
    ),
  );

  // Hold the alerts when too many units change at once: the monitoring more likely failed than they did.
  const ok = judged.flatMap((j) => ('ok' in j ? [j.ok] : []));
  const changes = ok.flatMap((j) =>
    j.decision.alert?.kind === 'status_change' && j.previous
      ? [{ unitCode: j.unit.unitCode, from: j.previous.status, to: j.decision.alert.to }]
      : [],
  );
  const holdId = isMassChange(changes.length, ok.length, config.alerts.massChange)
    ? `hold-${new Date(at).toISOString()}`
    : undefined;

  // Record each decision, then the unit's figures and row.
  let transitions = 0;
  const evaluated = await mapLimit(judged, deps.concurrency ?? 8, async (entry): Promise<Evaluated> => {
    if (!('ok' in entry)) return failed(entry.unit, entry.error);
    const j = entry.ok;
    try {
      const { record, changed } = await recordDecision(deps.statuses, j, holdId, times);
      if (changed) transitions++;
      const figures = unitFigures(j.data, j.signals.catalog, cal, config);
      const confirmations = j.criteria.stability.confirmations;
      const row = unitRow(
        j.unit,
        j.predecessors,
        j.signals,
        j.result,
        record,
        j.held,
        figures,
        config,
        confirmations,
      );
      const connection = connectionDetail(j.unit, j.signals, j.data, j.criteria, cal, at, everyMs);
      return { unit: j.unit, row, data: j.data, figures, history: record?.history ?? [], connection };
    } catch (error) {
      return failed(j.unit, error);
    }
  });
  if (holdId) await deps.statuses.claimDigest('hold', holdId, holdAlert(holdId, changes, ok.length, at, now));

  // Publish: dated files first, latest last; a unit that failed keeps its last published file.
  const latest = latestSnapshot(evaluated, cal, config, { at, now, everyMinutes: deps.everyMinutes ?? 15 });
  const rows = latest.units;
  const unitFiles = evaluated
    .filter((entry) => !entry.row.evaluation)
    .map((entry) => unitSnapshot(entry, cal, config, latest.generatedAt, 'days'));
  const published = await deps.snapshots.publish({ latest, units: unitFiles, csv: toCsv(rows) });

  // Notify: the digests of the day and of the week, then every queued alert.
  await queueDigests(deps.statuses, evaluated, rows, cal, config, times);
  const alertsSent = await drainAlerts(deps);
  const failures = evaluated.flatMap((entry) =>
    entry.row.evaluation ? [{ unitCode: entry.unit.unitCode, reason: entry.row.evaluation.reason }] : [],
  );
  return {
    asOf: latest.asOf,
    units: rows.length,
    byStatus: latest.connection.byStatus,
    transitions,
    alertsSent,
    snapshotBytes: published.bytes,
    snapshotObjects: published.objects,
    failures,
  };
}
