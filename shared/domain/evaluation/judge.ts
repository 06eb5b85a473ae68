import type { Settings } from '../../config/settings.ts';
import type { Unit } from '../../schemas/registry.ts';
import type { Predecessor } from '../registry/lifecycle.ts';
import { alertsHeld } from './alerts.ts';
import { criteriaFor, evaluateConnection } from './compliance.ts';
import { unitCoverage, withCoverage } from './coverage.ts';
import { unitFeedRhythm, withFeedRhythm } from './feed-rhythm.ts';
import { readWithPredecessors } from './lineage.ts';
import type { Calendar } from './periods.ts';
import type { EvaluationReadPort, ReadPlan, StatusStorePort } from './ports.ts';
import { type Judged, statusRules } from './record.ts';
import { connectionInput, signalsAt } from './signals.ts';
import { decide } from './status-machine.ts';

/** What judging one unit reads: the stores, the settings and the evaluation's plan and calendar. */
export interface JudgeContext {
  config: Settings;
  reader: EvaluationReadPort;
  statuses: StatusStorePort;
  plan: ReadPlan;
  cal: Calendar;
  at: number;
  /** How often the evaluation runs (default 15 minutes). */
  everyMinutes?: number;
}

/** Reads and judges one unit; nothing is written yet. */
export async function judgeUnit(
  context: JudgeContext,
  unit: Unit,
  predecessors: Predecessor[],
): Promise<Judged> {
  const { config, cal, at } = context;
  const data = await readWithPredecessors(context.reader, unit.unitCode, predecessors, context.plan);
  const signals = signalsAt(data, at);
  const previous = await context.statuses.get(unit.unitCode);
  const criteria = criteriaFor(config, unit.unitCode);
  const grace = config.dossier.closureGraceDays;
  const rhythm = unitFeedRhythm(data.unitDays, cal.today, criteria.feedRhythm, config.calendar.holidays);
  const connection = evaluateConnection(
    {
      ...connectionInput(unit, data, signals, previous, cal, at, criteria),
      evaluationEveryMs: (context.everyMinutes ?? 15) * 60_000,
    },
    criteria,
  );
  const covered = withCoverage(
    connection,
    unitCoverage(unit, data, cal, criteria, grace),
    criteria.coverage.windowDays,
    grace,
  );
  const result = withFeedRhythm(covered, rhythm);
  const held = alertsHeld(unit, at);
  const verdict = { status: result.status, reasonCodes: result.reasons.map((r) => r.code) };
  const decision = decide(previous, verdict, held, at, statusRules(config, criteria));
  return { unit, predecessors, data, signals, previous, result, criteria, held, decision };
}
