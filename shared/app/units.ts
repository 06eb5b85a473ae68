import {
  LifecycleError,
  mergeUnits,
  renameUnit,
  retireUnit,
  setPaused,
  splitUnit,
} from '../domain/registry/lifecycle.ts';
import { type PlanStep, planSteps, type Reorganisation } from '../domain/registry/reorganisation.ts';
import { type Successor, type Unit, type UnitInput, unitSchema } from '../schemas/registry.ts';
import { OperationRefusedError } from './errors.ts';

/** The unit registry (`shared/adapters/dynamo-registry.ts`). */
export interface UnitRegistryPort {
  listUnits(): Promise<Unit[]>;
  getUnit(unitCode: string): Promise<Unit | undefined>;
  /** Writes the units in one transaction. */
  putUnits(units: readonly Unit[]): Promise<void>;
  putUnit(input: UnitInput): Promise<Unit>;
}

/** Marks a retired unit's keys, so ingest applies the retired-code rule (`shared/adapters/dynamo-key-store.ts`). */
export interface KeyRetirementPort {
  markRetired(unitCode: string, retired: { on: string; successors: string[] }): Promise<number>;
}

/** The unit use cases (`emc units …`): add, import, rename, pause, retire, merge, split, apply a plan. */
export interface UnitOps {
  registry: UnitRegistryPort;
  keys: KeyRetirementPort;
  now: () => number;
  progress?: (done: number, total: number) => void;
}

async function unit(ops: UnitOps, code: string): Promise<Unit> {
  const found = await ops.registry.getUnit(code);
  if (!found) throw new OperationRefusedError(`Unit ${code} is not registered. See: emc units list`);
  return found;
}

/** Every lifecycle error becomes an operator-facing message, and nothing is written. */
async function guarded<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LifecycleError) throw new OperationRefusedError(error.message);
    throw error;
  }
}

/** Writes a change, then marks the keys of every unit it retired so ingest applies the retired-code rule. */
async function commit(ops: UnitOps, changed: Unit[]): Promise<void> {
  await ops.registry.putUnits(changed);
  for (const retired of changed.filter((u) => u.retiredOn !== undefined)) {
    await ops.keys.markRetired(retired.unitCode, {
      on: retired.retiredOn ?? '',
      successors: retired.successors.map((s) => s.unitCode),
    });
  }
}

/**
 * Imports or updates units. Lifecycle fields a row does not give (history, retirement, former names) keep
 * their stored values, so re-importing a registry file never erases history.
 */
export async function importUnits(ops: UnitOps, rows: unknown[]): Promise<number> {
  const problems = rows.flatMap((row, index) => {
    const parsed = unitSchema.safeParse(row);
    return parsed.success
      ? []
      : parsed.error.issues.map((issue) => `row ${index}: ${issue.path.join('.')}: ${issue.message}`);
  });
  if (problems.length > 0) throw new OperationRefusedError(`Nothing imported:\n${problems.join('\n')}`);
  const stored = new Map((await ops.registry.listUnits()).map((u) => [u.unitCode, u]));
  let done = 0;
  for (const row of rows as UnitInput[]) {
    const before = stored.get(row.unitCode);
    await ops.registry.putUnit(before ? { ...before, ...row } : row);
    ops.progress?.(++done, rows.length);
  }
  return rows.length;
}

export async function addUnit(ops: UnitOps, input: UnitInput, on: string): Promise<Unit> {
  if (await ops.registry.getUnit(input.unitCode))
    throw new OperationRefusedError(
      `Unit ${input.unitCode} already exists; use "emc units import" to update it.`,
    );
  const parsed = unitSchema.safeParse({
    ...input,
    createdOn: on,
    history: [
      { at: new Date(ops.now()).toISOString(), action: 'added', on, detail: `added as ${input.name}` },
    ],
  });
  if (!parsed.success)
    throw new OperationRefusedError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'),
    );
  await ops.registry.putUnits([parsed.data]);
  return parsed.data;
}

export async function rename(ops: UnitOps, code: string, name: string, on: string): Promise<Unit> {
  const changed = renameUnit(await unit(ops, code), name, on, ops.now());
  await ops.registry.putUnits([changed]);
  return changed;
}

export async function pause(ops: UnitOps, code: string, paused: boolean, reason?: string): Promise<Unit> {
  const changed = setPaused(await unit(ops, code), paused, ops.now(), reason);
  await ops.registry.putUnits([changed]);
  return changed;
}

export async function retire(ops: UnitOps, code: string, on: string): Promise<Unit> {
  const changed = await guarded(async () => retireUnit(await unit(ops, code), on, ops.now()));
  await commit(ops, [changed]);
  return changed;
}

export async function merge(ops: UnitOps, into: string, from: string[], on: string): Promise<Unit[]> {
  const all = await ops.registry.listUnits();
  const changed = await guarded(() => mergeUnits(all, into, from, on, ops.now()));
  await commit(ops, changed);
  return changed;
}

export async function split(ops: UnitOps, from: string, parts: Successor[], on: string): Promise<Unit[]> {
  const all = await ops.registry.listUnits();
  const changed = await guarded(() => splitUnit(all, from, parts, on, ops.now()));
  await commit(ops, changed);
  return changed;
}

export interface ApplyReport {
  applied: string[];
  alreadyDone: string[];
}

/**
 * Applies a reorganisation step by step, each step in one transaction. A step already applied changes
 * nothing, so after an interruption the same command carries on where it stopped.
 */
export async function applyPlan(ops: UnitOps, plan: Reorganisation): Promise<ApplyReport> {
  const steps: PlanStep[] = planSteps(plan);
  const report: ApplyReport = { applied: [], alreadyDone: [] };
  let units = await ops.registry.listUnits();
  for (const [index, step] of steps.entries()) {
    const changed = await guarded(() => step.apply(units, ops.now()));
    if (changed.length === 0) report.alreadyDone.push(step.label);
    else {
      await commit(ops, changed);
      report.applied.push(step.label);
      const byCode = new Map(changed.map((u) => [u.unitCode, u]));
      units = units.map((u) => byCode.get(u.unitCode) ?? u);
    }
    ops.progress?.(index + 1, steps.length);
  }
  return report;
}
