import type { DossierEventsMessage, QueuedEvent } from '../../schemas/queue.ts';
import { chunkByFootprint } from '../dossier/chunks.ts';
import { addContributions, addDelta, compact, emptyDelta, type UnitDelta } from '../dossier/delta.ts';
import {
  type Contributions,
  contributions,
  type DossierRules,
  type DossierState,
  merge,
} from '../dossier/state.ts';
import { NOTHING_COUNTED, type VoidMark } from '../dossier/voiding.ts';

export interface DossierKey {
  unitCode: string;
  dossierCode: string;
}

export interface StoredDossier {
  state: DossierState;
  /** Incremented on every write; a write is conditional on the version it read. */
  version: number;
  /**
   * What the dossier adds to the counters, exactly as it was counted when written. Absent on dossiers
   * written before it was stored; those are recomputed under today's rules.
   */
  contribution?: Contributions;
  /** Set while an operator has voided the dossier: it counts nothing, whatever arrives for it. */
  voided?: VoidMark;
}

export interface DossierChange {
  key: DossierKey;
  /** The version read, or 0 for a dossier not yet stored. */
  expectedVersion: number;
  state: DossierState;
  /** The contribution counted for `state`, stored with it so a later change subtracts exactly this. */
  contribution: Contributions;
  /** Kept from the stored dossier: a later event never lifts a voiding. */
  voided?: VoidMark;
}

/** `held`: a rebuild is swapping the unit's counters; nothing was written and the messages wait. */
export type CommitOutcome = { ok: true } | { ok: false; stale: DossierKey[]; held?: boolean };

/** Storage for dossier state and counter deltas. A commit is atomic: every change and the delta, or nothing. */
export interface DossierStorePort {
  load(keys: readonly DossierKey[]): Promise<Map<string, StoredDossier>>;
  commit(unitCode: string, changes: readonly DossierChange[], delta: UnitDelta): Promise<CommitOutcome>;
  /** Folds the unit's pending deltas into its counters when at least `minPending` are waiting. */
  fold(unitCode: string, minPending: number): Promise<void>;
  /** Records that dossier data arrived for the unit; keeps the latest time only. */
  touchFeed(unitCode: string, receivedAt: number): Promise<void>;
}

export interface CountOptions {
  rules: DossierRules;
  dayOf: (ms: number) => string;
  /** Dossier changes per transaction; one more item carries the delta. */
  maxChangesPerCommit: number;
  /** Counter items one delta may touch, so that it can always be folded in one transaction. */
  maxFootprint: number;
  foldAtPending: number;
  maxStaleRounds: number;
}

export interface IncomingMessage {
  id: string;
  message: DossierEventsMessage;
}

export interface CountResult {
  failedMessageIds: string[];
  /** Why each failed message failed, for the operator who finds it in a DLQ. */
  reasons: Map<string, string>;
  changedDossiers: number;
  unchangedDossiers: number;
  commits: number;
}

export const dossierId = (key: DossierKey): string => `${key.unitCode}#${key.dossierCode}`;

interface PendingDossier {
  key: DossierKey;
  events: QueuedEvent[];
  messageIds: Set<string>;
}

/**
 * Applies a batch of dossier-event messages exactly once. Events are grouped per dossier and merged into its
 * stored state; only dossiers whose state changes are written, each together with the counter delta it
 * causes, in transactions conditional on the versions read. A redelivered event changes nothing and writes
 * nothing, which is what makes duplicates, retries and crashes harmless.
 */
export async function countDossierEvents(
  messages: readonly IncomingMessage[],
  store: DossierStorePort,
  options: CountOptions,
): Promise<CountResult> {
  const byUnit = new Map<string, Map<string, PendingDossier>>();
  const latestByUnit = new Map<string, number>();
  for (const { id, message } of messages) {
    const dossiers = byUnit.get(message.unitCode) ?? new Map<string, PendingDossier>();
    byUnit.set(message.unitCode, dossiers);
    latestByUnit.set(message.unitCode, Math.max(latestByUnit.get(message.unitCode) ?? 0, message.acceptedAt));
    for (const event of message.events) {
      const key = { unitCode: message.unitCode, dossierCode: event.dossierCode };
      const entry = dossiers.get(dossierId(key)) ?? { key, events: [], messageIds: new Set<string>() };
      entry.events.push(event);
      entry.messageIds.add(id);
      dossiers.set(dossierId(key), entry);
    }
  }

  const failed = new Map<string, string>();
  const result: CountResult = {
    failedMessageIds: [],
    reasons: failed,
    changedDossiers: 0,
    unchangedDossiers: 0,
    commits: 0,
  };
  for (const [unitCode, dossiers] of byUnit) {
    try {
      // Only new information of a received dossier or later refreshes the feed signal (`countUnit`): a
      // status-1 event counts nothing and an exact duplicate changes nothing, so neither keeps a unit "connected".
      await countUnit(unitCode, [...dossiers.values()], store, options, result, () =>
        store.touchFeed(unitCode, latestByUnit.get(unitCode) ?? 0),
      );
      await store.fold(unitCode, options.foldAtPending);
    } catch (error) {
      if (!(error instanceof UncommittedError)) throw error;
      for (const dossier of error.dossiers)
        for (const id of dossier.messageIds) failed.set(id, error.message);
    }
  }
  result.failedMessageIds = [...failed.keys()];
  return result;
}

/** Some dossiers could not be committed; their messages must be retried. */
class UncommittedError extends Error {
  override readonly name = 'UncommittedError';
  constructor(
    readonly dossiers: PendingDossier[],
    reason: string,
  ) {
    super(reason);
  }
}

async function countUnit(
  unitCode: string,
  dossiers: PendingDossier[],
  store: DossierStorePort,
  options: CountOptions,
  result: CountResult,
  touchFeed: () => Promise<void>,
): Promise<void> {
  let pending = dossiers;
  let touched = false;
  const received = (dossier: PendingDossier): boolean =>
    dossier.events.some((event) => options.rules.receivedStatuses.includes(event.status));
  for (let round = 0; round <= options.maxStaleRounds && pending.length > 0; round++) {
    const stored = await store.load(pending.map((dossier) => dossier.key));
    const planned: Planned[] = [];
    for (const dossier of pending) {
      const current = stored.get(dossierId(dossier.key));
      const before = current?.state ?? {};
      let after = before;
      for (const event of dossier.events) after = merge(after, event, options.rules);
      if (after === before) {
        result.unchangedDossiers++;
        continue;
      }
      // "Before" is what was counted, not a recomputation under today's rules and time zone, so a
      // configuration change never subtracts what was never added (`emc rebuild` applies new rules on purpose).
      // A voided dossier still learns from its events but counts nothing until an operator restores it.
      const voided = current?.voided;
      const added = voided ? NOTHING_COUNTED : contributions(after, options.rules, options.dayOf);
      const counted = current?.contribution ?? contributions(before, options.rules, options.dayOf);
      const delta = emptyDelta();
      addContributions(delta, added, 1);
      addContributions(delta, counted, -1);
      planned.push({
        dossier,
        change: {
          key: dossier.key,
          expectedVersion: current?.version ?? 0,
          state: after,
          contribution: added,
          ...(voided ? { voided } : {}),
        },
        delta: compact(delta),
      });
    }
    // The feed signal is written before the commits that make it true, never after: a batch whose commits
    // landed and whose feed write then failed would come back as exact duplicates, which refresh nothing, and
    // the signal would be lost. Written first, a failure leaves the dossiers uncommitted, and the redelivery
    // writes both. Only new information of a received dossier or later refreshes it.
    if (!touched && planned.some((entry) => received(entry.dossier))) {
      await touchFeed();
      touched = true;
    }
    const retry: PendingDossier[] = [];
    const chunks = chunkForCommit(planned, options);
    for (const [index, chunk] of chunks.entries()) {
      const delta = emptyDelta();
      for (const entry of chunk) addDelta(delta, entry.delta);
      const outcome = await store.commit(
        unitCode,
        chunk.map((entry) => entry.change),
        compact(delta),
      );
      result.commits++;
      if (outcome.ok) {
        result.changedDossiers += chunk.length;
        continue;
      }
      if (outcome.held) {
        const waiting = chunks.slice(index).flatMap((later) => later.map((entry) => entry.dossier));
        throw new UncommittedError(
          [...retry, ...waiting],
          `unit ${unitCode} is held by a rebuild (emc rebuild); its messages wait until the rebuild ends`,
        );
      }
      // The whole transaction was cancelled: retry every dossier in it, re-reading the ones that moved.
      retry.push(...chunk.map((entry) => entry.dossier));
    }
    pending = retry;
  }
  if (pending.length > 0)
    throw new UncommittedError(
      pending,
      `${pending.length} dossier(s) of unit ${unitCode} kept changing under concurrent writers after ${options.maxStaleRounds + 1} attempts`,
    );
}

interface Planned {
  dossier: PendingDossier;
  change: DossierChange;
  delta: UnitDelta;
}

/**
 * Splits changes into transactions, keeping dossiers that touch the same counters together so each delta
 * stays small, and bounding each delta's footprint so it can be folded in one transaction.
 */
function chunkForCommit(planned: Planned[], options: CountOptions): Planned[][] {
  const sorted = [...planned].sort((a, b) => firstCell(a).localeCompare(firstCell(b)));
  return chunkByFootprint(sorted, options.maxChangesPerCommit, options.maxFootprint);
}

function firstCell(entry: Planned): string {
  return entry.delta.cells.keys().next().value ?? '';
}
