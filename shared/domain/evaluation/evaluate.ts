import type { Settings } from '../../config/settings.ts';
import type { Unit } from '../../schemas/registry.ts';
import { existsOn, nameOn, predecessorsOn } from '../registry/lifecycle.ts';
import { alertsHeld, digestAlert, drainAlerts, reminderAlert, statusAlert } from './alerts.ts';
import { asOfDeps } from './as-of.ts';
import { criteriaFor, evaluateConnection } from './compliance.ts';
import { toCsv } from './csv.ts';
import { unitFigures } from './figures.ts';
import { readWithHistory } from './history.ts';
import { mapLimit } from './map-limit.ts';
import { calendar, isoWeek, planFor } from './periods.ts';
import type {
  AlertPort,
  EvaluationReadPort,
  RegistryPort,
  SnapshotPort,
  StatusRecord,
  StatusStorePort,
} from './ports.ts';
import { connectionInput, signalsAt } from './signals.ts';
import { type Evaluated, latestSnapshot, notEvaluated, unitRow, unitSnapshot } from './snapshot.ts';
import { decide } from './status-machine.ts';

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
  // Evaluating the past reads an agency's month by its days, so no later day is counted.
  const agencyMonthToDate = deps.mode === 'asOf' ? 'days' : 'month';
  const plan = planFor(cal, config.compliance.reconciliation.lookbackDays, at, agencyMonthToDate);
  const registered = await deps.registry.listUnits();
  const units = registered
    .filter((unit) => existsOn(unit, cal.today))
    .map((unit) => ({ ...unit, name: nameOn(unit, cal.today) }));
  const lineage = predecessorsOn(registered, cal.today);
  let transitions = 0;

  const judge = async (unit: Unit): Promise<Evaluated> => {
    // Read.
    const predecessors = lineage.get(unit.unitCode) ?? [];
    const data = await readWithHistory(deps.reader, unit.unitCode, predecessors, plan);
    const signals = signalsAt(data, at);
    const previous = await deps.statuses.get(unit.unitCode);
    // Judge.
    const criteria = criteriaFor(config, unit.unitCode);
    const result = evaluateConnection(
      {
        ...connectionInput(unit, data, signals, previous, cal, at, criteria.reconciliation.lookbackDays),
        evaluationEveryMs: (deps.everyMinutes ?? 15) * 60_000,
      },
      criteria,
    );
    // Record.
    const held = alertsHeld(unit, at);
    const verdict = { status: result.status, reasonCodes: result.reasons.map((r) => r.code) };
    const decision = decide(previous, verdict, held, at, {
      reminderEveryMs: config.alerts.reminderEveryHours * 3_600_000,
      confirmations: criteria.stability.confirmations,
    });
    let record: StatusRecord | undefined = decision.next;
    if ((decision.write === 'transition' || decision.write === 'pending') && decision.next) {
      const alert =
        decision.alert?.kind === 'status_change'
          ? statusAlert(unit, decision.alert.from, decision.alert.to, result.reasons, at, now)
          : undefined;
      if (await deps.statuses.transition(unit.unitCode, previous?.version ?? 0, decision.next, alert)) {
        if (decision.write === 'transition') transitions++;
      } else {
        record = (await deps.statuses.get(unit.unitCode)) ?? decision.next;
      }
    } else if (decision.write === 'reminder' && previous) {
      await deps.statuses.claimReminder(
        unit.unitCode,
        previous.version,
        previous.lastReminderAt,
        at,
        reminderAlert(unit, previous, result.reasons, at, now),
      );
    }
    // Figures.
    const figures = unitFigures(data, signals.catalog, cal);
    const confirmations = criteria.stability.confirmations;
    const row = unitRow(unit, predecessors, signals, result, record, held, figures, config, confirmations);
    return { unit, row, data, figures, history: record?.history ?? [] };
  };
  // One unit's failure (a read, a judgement, a status write) never stops the others: its row keeps the last
  // known status, marked stale, and says why.
  const evaluated = await mapLimit(units, deps.concurrency ?? 8, (unit) =>
    judge(unit).catch(async (error: unknown) => {
      const previous = await deps.statuses.get(unit.unitCode).catch(() => undefined);
      return notEvaluated(unit, error, previous, cal, config);
    }),
  );

  // Publish: dated files first, latest last; a unit that failed keeps its last published file.
  const latest = latestSnapshot(evaluated, cal, config, { at, now, everyMinutes: deps.everyMinutes ?? 15 });
  const rows = latest.units;
  const unitFiles = evaluated
    .filter((entry) => !entry.row.evaluation)
    .map((entry) => unitSnapshot(entry, cal, config, latest.generatedAt, agencyMonthToDate));
  const published = await deps.snapshots.publish({ latest, units: unitFiles, csv: toCsv(rows) });

  // Notify: the digests of the day (from 08:00) and of the week, then every queued alert.
  const minutesIntoDay = (at + config.time.utcOffsetMinutes * 60_000) % 86_400_000;
  if (minutesIntoDay >= 8 * 3_600_000) {
    await deps.statuses.claimDigest('daily', cal.today, digestAlert('daily', cal.today, rows, now));
    const weekday = new Date(`${cal.today}T00:00:00Z`).getUTCDay();
    if (weekday === config.alerts.weeklyDigestWeekday) {
      const week = isoWeek(cal.today);
      await deps.statuses.claimDigest('weekly', week, digestAlert('weekly', week, rows, now));
    }
  }
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
