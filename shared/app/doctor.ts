import type { Settings } from '../config/settings.ts';
import { criteriaFor } from '../domain/evaluation/compliance.ts';
import type { RegistryPort } from '../domain/evaluation/ports.ts';
import {
  connectionRules,
  dayStart,
  type MePorts,
  REFUSAL_DAYS,
  summariseRefusals,
  summariseSetAside,
} from '../domain/me/describe-unit.ts';
import { type DoctorReport, doctorReport } from '../domain/me/doctor.ts';
import { addDays, dayOf } from '../domain/time.ts';
import { OperationRefusedError } from './errors.ts';

export interface DoctorDeps {
  registry: RegistryPort;
  /** Each unit's published snapshot, its recent refusals and what was set aside (`shared/adapters/me-reader.ts`). */
  reader: Pick<MePorts, 'snapshot' | 'refusals' | 'setAside'>;
  config: Settings;
}

/**
 * `emc doctor [unit…]`: for each unit (by default every unit the last evaluation found not fully
 * connected), what GET /v1/me would show it, with the fix for each reason and a letter-ready summary.
 */
export async function diagnoseUnits(
  deps: DoctorDeps,
  unitCodes: readonly string[],
  now: number,
): Promise<DoctorReport[]> {
  const { config, registry, reader } = deps;
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
    if (!unit) throw new OperationRefusedError(`Unit ${code} is not registered.`);
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
