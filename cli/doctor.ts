import { DynamoRefusalLog } from '../shared/adapters/dynamo-refusal-log.ts';
import { DynamoRegistry } from '../shared/adapters/dynamo-registry.ts';
import { MeReader } from '../shared/adapters/me-reader.ts';
import { settings } from '../shared/config/settings.ts';
import { criteriaFor } from '../shared/domain/evaluation/compliance.ts';
import {
  connectionRules,
  dayStart,
  REFUSAL_DAYS,
  summariseRefusals,
  summariseSetAside,
} from '../shared/domain/me/describe-unit.ts';
import { type DoctorReport, doctorReport } from '../shared/domain/me/doctor.ts';
import { addDays, dayOf } from '../shared/domain/time.ts';
import { CliError, type Target } from './context.ts';

/**
 * `emc doctor [unit…]`: for each unit (by default every unit the last evaluation found not fully
 * connected), what GET /v1/me would show it, with the fix for each reason and a letter-ready summary.
 */
export async function doctor(
  target: Target,
  unitCodes: readonly string[],
  now: number,
): Promise<DoctorReport[]> {
  const config = settings();
  const registry = new DynamoRegistry(target.tables.state);
  const reader = new MeReader(
    target.tables.state,
    target.bucket,
    new DynamoRefusalLog(target.tables.state, config.time.utcOffsetMinutes),
  );
  const registered = await registry.listUnits();
  let codes = [...unitCodes];
  if (codes.length === 0) {
    const snapshots = await Promise.all(
      registered.map(async (u) => [u.unitCode, await reader.snapshot(u.unitCode)] as const),
    );
    codes = snapshots
      .filter(([, snapshot]) => snapshot !== undefined && snapshot.unit.connection.status !== 'connected')
      .map(([code]) => code);
  }
  const today = dayOf(now, config.time.utcOffsetMinutes);
  const reports: DoctorReport[] = [];
  for (const code of codes) {
    const unit = registered.find((u) => u.unitCode === code);
    if (!unit) throw new CliError(`Unit ${code} is not registered.`);
    const from = addDays(today, -(REFUSAL_DAYS - 1));
    const [snapshot, rows, asides] = await Promise.all([
      reader.snapshot(code),
      reader.refusals(code, now, REFUSAL_DAYS),
      reader.setAside(code, dayStart(from, config.time.utcOffsetMinutes)),
    ]);
    const criteria = criteriaFor(config, code);
    reports.push(
      doctorReport({
        unitCode: code,
        name: unit.name,
        verdict: snapshot
          ? {
              status: snapshot.unit.connection.status,
              reasons: snapshot.unit.connection.reasons,
              since: snapshot.unit.connection.since,
              evaluatedAt: snapshot.generatedAt,
            }
          : null,
        refusals: summariseRefusals(rows, from, today),
        setAside: summariseSetAside(asides, from, today),
        rules: connectionRules(criteria, unit.systems),
      }),
    );
  }
  return reports;
}
