import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DynamoRebuildStore,
  type StateChange,
  sameState,
} from '../shared/adapters/dynamo-rebuild-store.ts';
import type { S3Archive } from '../shared/adapters/s3-archive.ts';
import { contributions, type DossierRules, type DossierState } from '../shared/domain/dossier/state.ts';
import {
  type CounterDifference,
  compareCounters,
  countersFrom,
  foldEvents,
  monthsOf,
} from '../shared/domain/operations/rebuild.ts';
import { addDays } from '../shared/domain/time.ts';

export interface RebuildDeps {
  archive: S3Archive;
  store: DynamoRebuildStore;
  rules: DossierRules;
  dayOf: (ms: number) => string;
  now: () => number;
  progress?: (done: number, total: number) => void;
}

export interface RebuildOptions {
  unitCode: string;
  from: string;
  to: string;
  /** Without it, the rebuild only compares: nothing live changes. */
  swap: boolean;
  /** How far before the range the archive is read, for dossiers received earlier and resolved in it. */
  lookbackDays: number;
  /** Where progress is kept so an interrupted rebuild carries on. */
  checkpointDir: string;
  /** Longest time the unit's commits are held back; a crashed rebuild frees the unit after it. */
  holdSeconds: number;
}

export interface RebuildReport {
  unitCode: string;
  months: string[];
  archiveObjects: number;
  resumedFrom: number;
  dossiers: number;
  differences: CounterDifference[];
  /** Stored dossier states that differ from the archive's (or are missing); a swap replaces them. */
  dossierStatesToReplace: number;
  /**
   * Of those, the ones whose old or new figures fall in months outside the range: their counters there are
   * not rebuilt, so the range should be widened to cover them.
   */
  statesTouchingOtherMonths: number;
  swapped: boolean;
  itemsWritten: number;
}

interface Checkpoint {
  done: string[];
  states: [string, DossierState][];
}

/**
 * Recomputes a unit's counters for whole months from the raw archive and compares them with the live ones;
 * with `swap`, replaces what differs. The archive is read first without disturbing the unit. Then its
 * dossier commits are held back (messages wait in the queue), pending deltas are folded, objects archived
 * meanwhile are read, and the comparison and swap run on a still picture. Running it again finds nothing.
 */
export async function rebuild(deps: RebuildDeps, options: RebuildOptions): Promise<RebuildReport> {
  const months = monthsOf(options.from, options.to);
  const firstDay = addDays(`${months[0]}-01`, -options.lookbackDays);
  mkdirSync(options.checkpointDir, { recursive: true });
  const file = join(options.checkpointDir, `rebuild-${options.unitCode}-${months[0]}-${months.at(-1)}.json`);
  const saved: Checkpoint = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Checkpoint)
    : { done: [], states: [] };
  const done = new Set(saved.done);
  const states = new Map(saved.states);
  const save = (): void => {
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({ done: [...done], states: [...states] } satisfies Checkpoint),
    );
    renameSync(`${file}.tmp`, file);
  };
  const readNew = async (): Promise<void> => {
    const todo: string[] = [];
    for await (const key of deps.archive.listUnit(options.unitCode, firstDay))
      if (!done.has(key)) todo.push(key);
    for (const [index, key] of todo.entries()) {
      foldEvents(states, await deps.archive.readEvents(key), deps.rules);
      done.add(key);
      if ((index + 1) % 200 === 0) save();
      deps.progress?.(index + 1, todo.length);
    }
    save();
  };
  const resumedFrom = done.size;
  await readNew();

  await deps.store.hold(options.unitCode, deps.now() + options.holdSeconds * 1000);
  try {
    await deps.store.settle(options.unitCode);
    await readNew();
    const live = await deps.store.readLive(options.unitCode, months);
    const stored = await deps.store.loadStates(options.unitCode, [...states.keys()]);
    // A dossier an operator voided (emc dossiers void) stays out of the counters and its state is left alone.
    const counted = new Map(
      [...states].filter(([dossierCode]) => !stored.get(`${options.unitCode}#${dossierCode}`)?.voided),
    );
    const rebuilt = countersFrom(counted.values(), months, deps.rules, deps.dayOf);
    const differences = compareCounters(live, rebuilt);
    // The rebuild applies today's rules on purpose: every dossier whose state or counted contribution
    // differs is written with the contribution it now has, so later changes subtract exactly that.
    const changes: StateChange[] = [...counted].flatMap(([dossierCode, state]) => {
      const current = stored.get(`${options.unitCode}#${dossierCode}`);
      const contribution = contributions(state, deps.rules, deps.dayOf);
      return sameState(current?.state, state) &&
        current?.contribution !== undefined &&
        JSON.stringify(current.contribution) === JSON.stringify(contribution)
        ? []
        : [{ dossierCode, expectedVersion: current?.version ?? 0, state, contribution }];
    });
    const inRange = new Set(months);
    const outside = (state: DossierState | undefined): boolean =>
      contributions(state ?? {}, deps.rules, deps.dayOf).cells.some(
        (cell) => !inRange.has(cell.day.slice(0, 7)),
      );
    const statesTouchingOtherMonths = changes.filter(
      (change) =>
        outside(change.state) || outside(stored.get(`${options.unitCode}#${change.dossierCode}`)?.state),
    ).length;
    let itemsWritten = 0;
    if (options.swap && (differences.length > 0 || changes.length > 0)) {
      itemsWritten = await deps.store.swap(options.unitCode, live, rebuilt, changes, deps.progress);
    }
    if (options.swap) rmSync(file, { force: true });
    return {
      unitCode: options.unitCode,
      months,
      archiveObjects: done.size,
      resumedFrom,
      dossiers: states.size,
      differences,
      dossierStatesToReplace: changes.length,
      statesTouchingOtherMonths,
      swapped: options.swap,
      itemsWritten,
    };
  } finally {
    await deps.store.release(options.unitCode);
  }
}
