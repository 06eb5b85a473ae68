import { DynamoRefusalLog } from '../shared/adapters/dynamo-refusal-log.ts';
import { DynamoRegistry } from '../shared/adapters/dynamo-registry.ts';
import { MeReader } from '../shared/adapters/me-reader.ts';
import { diagnoseUnits } from '../shared/app/doctor.ts';
import { settings } from '../shared/config/settings.ts';
import type { DoctorReport } from '../shared/domain/me/doctor.ts';
import type { Target } from './context.ts';

/** `emc doctor [unit…]` on a target (`shared/app/doctor.ts`). */
export function doctor(target: Target, unitCodes: readonly string[], now: number): Promise<DoctorReport[]> {
  const config = settings();
  const reader = new MeReader(
    target.tables.state,
    target.bucket,
    new DynamoRefusalLog(target.tables.state, config.time.utcOffsetMinutes),
  );
  return diagnoseUnits({ registry: new DynamoRegistry(target.tables.state), reader, config }, unitCodes, now);
}
