import {
  type Contributions,
  contributions,
  type DossierRules,
  type DossierState,
} from '../domain/dossier/state.ts';
import {
  type CounterDifference,
  compareCounters,
  countersFrom,
  foldEvents,
  monthsOf,
  monthsOutside,
  type RebuiltCounters,
  sameState,
} from '../domain/operations/rebuild.ts';
import { addDays } from '../domain/time.ts';
import type { StoredDossier } from '../domain/worker/count-dossier-events.ts';
import type { QueuedEvent } from '../schemas/queue.ts';
import { OperationRefusedError } from './errors.ts';

/** The raw archive a rebuild reads (`shared/adapters/s3-archive.ts`). */
export interface RebuildArchivePort {
  /** The unit's archive objects from `fromDay` on: worker batches and compacted day objects alike. */
  listUnit(unitCode: string, fromDay: string): AsyncIterable<string>;
  /** `undefined` when the object is gone since it was listed: compaction merged it into a day object. */
  readEvents(key: string): Promise<QueuedEvent[] | undefined>;
}

/** A dossier state a swap writes, conditional on the version read. */
export interface StateChange {
  dossierCode: string;
  expectedVersion: number;
  state: DossierState;
  /** The contribution under the rules the rebuild applied, stored with the state. */
  contribution: Contributions;
}

/** How a swap ended: `holdLost` when a newer hold or an ended hold stopped it after `itemsWritten`. */
export interface SwapOutcome {
  itemsWritten: number;
  holdLost: boolean;
}

/** The state table as a rebuild sees it (`shared/adapters/dynamo-rebuild-store.ts`). */
export interface RebuildStorePort {
  /** Holds the unit's dossier commits back until `until` or release; returns the hold's fencing token. */
  hold(unitCode: string, until: number): Promise<number>;
  /** Ends the hold that carries `token`, and no other. */
  release(unitCode: string, token: number): Promise<void>;
  /** Folds every pending delta, so the counters hold everything committed. */
  settle(unitCode: string): Promise<void>;
  readLive(unitCode: string, months: readonly string[]): Promise<RebuiltCounters>;
  loadStates(unitCode: string, dossierCodes: readonly string[]): Promise<Map<string, StoredDossier>>;
  /** Writes the rebuilt figures and states, each write checked against the hold's token. */
  swap(
    unitCode: string,
    token: number,
    changes: { live: RebuiltCounters; rebuilt: RebuiltCounters; states: readonly StateChange[] },
    now: number,
    progress?: (done: number, total: number) => void,
  ): Promise<SwapOutcome>;
}

/** What a rebuild has read so far: the archive objects done and the dossier states they give. */
export interface RebuildCheckpoint {
  done: string[];
  states: [string, DossierState][];
}

/** Where progress is kept so an interrupted rebuild carries on (`shared/adapters/file-rebuild-checkpoints.ts`). */
export interface RebuildCheckpointPort {
  load(name: string): Promise<RebuildCheckpoint | undefined>;
  save(name: string, checkpoint: RebuildCheckpoint): Promise<void>;
  remove(name: string): Promise<void>;
}

export interface RebuildDeps {
  archive: RebuildArchivePort;
  store: RebuildStorePort;
  checkpoints: RebuildCheckpointPort;
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
  /**
   * When replaced dossiers count in months outside the range, rebuild over the range widened to them
   * instead of refusing the swap.
   */
  widen?: boolean;
  /** How far before the range the archive is read, for dossiers received earlier and resolved in it. */
  lookbackDays: number;
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
   * not rebuilt, so a swap is refused (or, with `widen`, the range is widened) until the range covers them.
   */
  statesTouchingOtherMonths: number;
  /** The months outside the range those states count in. */
  monthsOutsideRange: string[];
  /** The range asked for, when `widen` rebuilt a wider one. */
  widenedFrom?: { from: string; to: string };
  swapped: boolean;
  itemsWritten: number;
}

/**
 * Recomputes a unit's counters for whole months from the raw archive and compares them with the live ones;
 * with `swap`, replaces what differs. The archive is read first without disturbing the unit. Then its
 * dossier commits are held back (messages wait in the queue), pending deltas are folded, objects archived
 * meanwhile are read, and the comparison and swap run on a still picture. Every swap write is fenced by the
 * hold's token, so a rebuild overtaken by a newer one, or whose hold expired and was ended by a commit,
 * writes nothing more. Running it again finds nothing.
 */
export async function rebuild(deps: RebuildDeps, options: RebuildOptions): Promise<RebuildReport> {
  const months = monthsOf(options.from, options.to);
  const { unitCode } = options;
  const firstDay = addDays(`${months[0]}-01`, -options.lookbackDays);
  const name = `rebuild-${unitCode}-${months[0]}-${months.at(-1)}`;
  const saved = (await deps.checkpoints.load(name)) ?? { done: [], states: [] };
  const done = new Set(saved.done);
  const states = new Map(saved.states);
  const save = (): Promise<void> => deps.checkpoints.save(name, { done: [...done], states: [...states] });
  // An object listed and gone before it is read was merged by compaction into a day object that already
  // exists (compaction deletes only what it has read back from it), so listing again finds its events.
  const readNew = async (): Promise<void> => {
    for (let vanished = true; vanished; ) {
      vanished = false;
      const todo: string[] = [];
      for await (const key of deps.archive.listUnit(unitCode, firstDay)) if (!done.has(key)) todo.push(key);
      for (const [index, key] of todo.entries()) {
        const events = await deps.archive.readEvents(key);
        if (events === undefined) {
          vanished = true;
          continue;
        }
        foldEvents(states, events, deps.rules);
        done.add(key);
        if ((index + 1) % 200 === 0) await save();
        deps.progress?.(index + 1, todo.length);
      }
      await save();
    }
  };
  const resumedFrom = done.size;
  await readNew();

  const token = await deps.store.hold(unitCode, deps.now() + options.holdSeconds * 1000);
  let report: RebuildReport;
  try {
    await deps.store.settle(unitCode);
    await readNew();
    const live = await deps.store.readLive(unitCode, months);
    const stored = await deps.store.loadStates(unitCode, [...states.keys()]);
    // A dossier an operator voided (emc dossiers void) stays out of the counters and its state is left alone.
    const kept = new Map(
      [...states].filter(([dossierCode]) => !stored.get(`${unitCode}#${dossierCode}`)?.voided),
    );
    const rebuilt = countersFrom(kept.values(), months, deps.rules, deps.dayOf);
    const differences = compareCounters(live, rebuilt);
    const counted = (current: StoredDossier | undefined): Contributions =>
      current?.contribution ?? contributions(current?.state ?? {}, deps.rules, deps.dayOf);
    // The rebuild applies today's rules on purpose: every dossier whose state or counted contribution
    // differs is written with the contribution it now has, so later changes subtract exactly that.
    const changes: StateChange[] = [...kept].flatMap(([dossierCode, state]) => {
      const current = stored.get(`${unitCode}#${dossierCode}`);
      const contribution = contributions(state, deps.rules, deps.dayOf);
      return sameState(current?.state, state) &&
        current?.contribution !== undefined &&
        JSON.stringify(current.contribution) === JSON.stringify(contribution)
        ? []
        : [{ dossierCode, expectedVersion: current?.version ?? 0, state, contribution }];
    });
    const outside = changes.map((change) =>
      monthsOutside([change.contribution, counted(stored.get(`${unitCode}#${change.dossierCode}`))], months),
    );
    const statesTouchingOtherMonths = outside.filter((list) => list.length > 0).length;
    const monthsOutsideRange = [...new Set(outside.flat())].sort();
    report = {
      unitCode,
      months,
      archiveObjects: done.size,
      resumedFrom,
      dossiers: states.size,
      differences,
      dossierStatesToReplace: changes.length,
      statesTouchingOtherMonths,
      monthsOutsideRange,
      swapped: false,
      itemsWritten: 0,
    };
    if (options.swap && monthsOutsideRange.length > 0 && !options.widen)
      throw new OperationRefusedError(
        `${statesTouchingOtherMonths} dossier(s) of ${unitCode} to replace also count in ${monthsOutsideRange.join(', ')}, outside ${months[0]}…${months.at(-1)}; nothing was swapped. Rebuild a range that covers those months, or run again with --widen.`,
      );
    if (options.swap && monthsOutsideRange.length === 0) {
      if (differences.length > 0 || changes.length > 0) {
        const outcome = await deps.store.swap(
          unitCode,
          token,
          { live, rebuilt, states: changes },
          deps.now(),
          deps.progress,
        );
        if (outcome.holdLost)
          throw new OperationRefusedError(
            `The hold on ${unitCode} was taken by a newer rebuild, or ended by a dossier commit after it expired, before the swap finished: ${outcome.itemsWritten} item(s) had been written. Run the rebuild again once no other rebuild of ${unitCode} runs; it corrects what was written.`,
          );
        report.itemsWritten = outcome.itemsWritten;
      }
      report.swapped = true;
      await deps.checkpoints.remove(name);
    }
  } finally {
    await deps.store.release(unitCode, token);
  }
  if (!options.swap || report.monthsOutsideRange.length === 0) return report;
  // Widening: the states touch months outside the range, so rebuild over every month they touch. The
  // archive is read again from the wider range's lookback, so the earlier months are rebuilt from all of it.
  const wanted = [...months, ...report.monthsOutsideRange].sort();
  await deps.checkpoints.remove(name);
  const wider = await rebuild(deps, { ...options, from: `${wanted[0]}-01`, to: `${wanted.at(-1)}-01` });
  return { ...wider, widenedFrom: { from: options.from, to: options.to } };
}
