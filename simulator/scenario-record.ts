import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The scenario a stack's data directory holds: what `npm start`'s first backfill or an `emc simulate` run
 * sent, recorded so that a later run can send exactly the same requests again. The scenario is pure (a
 * function of these four values and the registry), so replaying it resends every event as it was, and the
 * pipeline counts each one once: the stack's figures and its ground truth stay as they were.
 */
export const scenarioRecordSchema = z.object({
  seed: z.number().int(),
  dossiers: z.number().int().positive(),
  days: z.number().int().positive(),
  /** The scenario's `now`, ISO: its history ends there, and its ground truth is as of then. */
  now: z.string().datetime({ offset: true }),
});
export type ScenarioRecord = z.infer<typeof scenarioRecordSchema>;

const FILE = 'scenario.json';

/** The scenario recorded in `dataDir`, or null when none was sent there. */
export function readScenario(dataDir: string): ScenarioRecord | null {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return null;
  const parsed = scenarioRecordSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path} is not a scenario record: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function recordScenario(dataDir: string, scenario: ScenarioRecord): void {
  writeFileSync(join(dataDir, FILE), `${JSON.stringify(scenario, null, 2)}\n`);
}
