import { chunkByFootprint } from '../domain/dossier/chunks.ts';
import { COUNTERS, type CounterName } from '../domain/dossier/counters.ts';
import { addContributions, addDelta, compact, emptyDelta, type UnitDelta } from '../domain/dossier/delta.ts';
import { counterTargets, serviceTargets } from '../domain/dossier/rollup.ts';
import {
  type Contributions,
  contributions,
  type DossierRules,
  type DossierState,
} from '../domain/dossier/state.ts';
import { NOTHING_COUNTED, type VoidMark, type VoidRecord } from '../domain/dossier/voiding.ts';
import {
  type CommitOutcome,
  type DossierKey,
  dossierId,
  type StoredDossier,
} from '../domain/worker/count-dossier-events.ts';
import { OperationRefusedError } from './errors.ts';

/** One dossier's voiding (or restoring) written together with its archived record. */
export interface VoidChange {
  key: DossierKey;
  /** The version read: the write is conditional on it, like a worker's. */
  expectedVersion: number;
  state: DossierState;
  /** What the dossier counts from now on: nothing when voided, its contribution when restored. */
  contribution: Contributions;
  /** Set when voiding; absent when restoring. */
  voided?: VoidMark;
  record: VoidRecord;
}

/**
 * Dossier state, the voiding archive and the counters (`shared/adapters/dynamo-dossier-store.ts`). A commit is
 * one transaction: the dossiers, their records, the delta and the rebuild-hold check, or nothing.
 */
export interface DossierVoidStorePort {
  load(keys: readonly DossierKey[]): Promise<Map<string, StoredDossier>>;
  voidRecords(unitCode: string): Promise<VoidRecord[]>;
  commitVoids(unitCode: string, changes: readonly VoidChange[], delta: UnitDelta): Promise<CommitOutcome>;
  fold(unitCode: string, minPending: number): Promise<void>;
}

export interface VoidDeps {
  store: DossierVoidStorePort;
  rules: DossierRules;
  dayOf: (ms: number) => string;
  /** Counter items one delta may touch, so the fold that follows fits in one transaction. */
  maxFootprint: number;
}

export interface VoidRequest {
  unitCode: string;
  dossierCodes: readonly string[];
  /** Required: it goes into the archive and into the unit's own view (GET /v1/me). */
  reason: string;
  /** Who asked: the operator's name as the CLI knows it. */
  by: string;
  now: number;
  /** Plan only: read, compute and report, write nothing. */
  dryRun: boolean;
}

/** One counter as the change moves it: a day or month, the agency or the unit total (`agencyCode` null). */
export interface CounterChange {
  period: string;
  agencyCode: string | null;
  counter: CounterName | 'onlineServiceDossiers';
  /** For online services: the procedure whose month changes. */
  procedureCode?: string;
  by: number;
}

export interface VoidOutcome {
  unitCode: string;
  action: 'void' | 'restore';
  dryRun: boolean;
  /** Dossiers this run changed (or would change, on a dry run). */
  changed: string[];
  /** Already in the asked state: nothing is written for them, so running the command again is harmless. */
  unchanged: string[];
  /** Every counter that moves, and by how much. */
  counterChanges: CounterChange[];
  transactions: number;
}

/** Two items per dossier (its state and its record) plus the delta and the hold check, well under 100. */
const MAX_DOSSIERS_PER_COMMIT = 40;
const MAX_STALE_ROUNDS = 5;

/** `emc dossiers void`: see `changeVoiding`. */
export function voidDossiers(deps: VoidDeps, request: VoidRequest): Promise<VoidOutcome> {
  return changeVoiding(deps, request, 'void');
}

/** `emc dossiers restore`: a voided dossier counts again, exactly as its state now says. */
export function restoreDossiers(deps: VoidDeps, request: VoidRequest): Promise<VoidOutcome> {
  return changeVoiding(deps, request, 'restore');
}

/**
 * Withdraws dossiers a unit sent by mistake (or puts them back). Each dossier's counted contribution is
 * subtracted through the same conditional transaction and pending delta a worker writes, so every day,
 * month, agency and procedure counter loses exactly what that dossier added. A dossier already in the asked
 * state is left alone, and an unknown code refuses the whole request before anything is written, so a typo
 * never voids half a list.
 */
async function changeVoiding(
  deps: VoidDeps,
  request: VoidRequest,
  action: 'void' | 'restore',
): Promise<VoidOutcome> {
  const reason = request.reason.trim();
  if (reason === '') throw new OperationRefusedError(`dossiers ${action} needs --reason: why the data goes`);
  const codes = [...new Set(request.dossierCodes)];
  if (codes.length === 0)
    throw new OperationRefusedError(`dossiers ${action} needs at least one dossier code`);
  const outcome: VoidOutcome = {
    unitCode: request.unitCode,
    action,
    dryRun: request.dryRun,
    changed: [],
    unchanged: [],
    counterChanges: [],
    transactions: 0,
  };
  const total = emptyDelta();
  let pending = codes;
  for (let round = 0; pending.length > 0; round++) {
    if (round > MAX_STALE_ROUNDS)
      throw new OperationRefusedError(
        `${pending.length} dossier(s) of unit ${request.unitCode} kept changing under the workers; run the command again`,
      );
    const keys = pending.map((dossierCode) => ({ unitCode: request.unitCode, dossierCode }));
    const stored = await deps.store.load(keys);
    if (round === 0) {
      const unknown = keys.filter((key) => !stored.has(dossierId(key))).map((key) => key.dossierCode);
      if (unknown.length > 0)
        throw new OperationRefusedError(
          `Unit ${request.unitCode} has no dossier ${unknown.join(', ')}; nothing was ${action === 'void' ? 'voided' : 'restored'}.`,
        );
    }
    const records = new Map((await deps.store.voidRecords(request.unitCode)).map((r) => [r.dossierCode, r]));
    const planned: { change: VoidChange; delta: UnitDelta }[] = [];
    for (const key of keys) {
      const current = stored.get(dossierId(key));
      if (!current) continue;
      if ((action === 'void') === (current.voided !== undefined)) {
        outcome.unchanged.push(key.dossierCode);
        continue;
      }
      planned.push(plan(deps, request, action, key, current, records.get(key.dossierCode), reason));
    }
    if (request.dryRun) {
      for (const entry of planned) {
        addDelta(total, entry.delta);
        outcome.changed.push(entry.change.key.dossierCode);
      }
      break;
    }
    const retry: string[] = [];
    for (const chunk of chunkByFootprint(planned, MAX_DOSSIERS_PER_COMMIT, deps.maxFootprint)) {
      const delta = emptyDelta();
      for (const entry of chunk) addDelta(delta, entry.delta);
      const result = await deps.store.commitVoids(
        request.unitCode,
        chunk.map((entry) => entry.change),
        compact(delta),
      );
      outcome.transactions++;
      if (result.ok) {
        addDelta(total, delta);
        outcome.changed.push(...chunk.map((entry) => entry.change.key.dossierCode));
      } else if (result.held) {
        throw new OperationRefusedError(
          `Unit ${request.unitCode} is held by a rebuild (emc rebuild); run the command again once it ends. Already ${action === 'void' ? 'voided' : 'restored'}: ${outcome.changed.join(', ') || 'none'}.`,
        );
      } else retry.push(...chunk.map((entry) => entry.change.key.dossierCode));
    }
    pending = retry;
  }
  if (!request.dryRun && outcome.changed.length > 0) await deps.store.fold(request.unitCode, 1);
  outcome.counterChanges = counterChanges(compact(total));
  return outcome;
}

function plan(
  deps: VoidDeps,
  request: VoidRequest,
  action: 'void' | 'restore',
  key: DossierKey,
  current: StoredDossier,
  previous: VoidRecord | undefined,
  reason: string,
): { change: VoidChange; delta: UnitDelta } {
  const step = {
    action: action === 'void' ? ('voided' as const) : ('restored' as const),
    at: request.now,
    by: request.by,
    reason,
  };
  // Exactly what was counted, as the worker subtracts it: never a recomputation under today's rules.
  const counted = current.contribution ?? contributions(current.state, deps.rules, deps.dayOf);
  const next = action === 'void' ? NOTHING_COUNTED : contributions(current.state, deps.rules, deps.dayOf);
  const delta = emptyDelta();
  addContributions(delta, next, 1);
  addContributions(delta, counted, -1);
  const record: VoidRecord = {
    unitCode: key.unitCode,
    dossierCode: key.dossierCode,
    status: step.action,
    at: step.at,
    by: step.by,
    reason,
    lastState: current.state,
    counted: action === 'void' ? counted : (previous?.counted ?? NOTHING_COUNTED),
    history: [...(previous?.history ?? []), step],
  };
  const change: VoidChange = {
    key,
    expectedVersion: current.version,
    state: current.state,
    contribution: next,
    record,
  };
  if (action === 'void') change.voided = { at: step.at, by: step.by, reason };
  return { change, delta: compact(delta) };
}

/** The delta as the counters it moves, sorted by period, then agency (unit total first), then counter. */
function counterChanges(delta: UnitDelta): CounterChange[] {
  const rows: CounterChange[] = [];
  for (const target of counterTargets(delta))
    for (const counter of COUNTERS) {
      const by = target.values[counter];
      if (by) rows.push({ period: target.period, agencyCode: target.agencyCode ?? null, counter, by });
    }
  for (const target of serviceTargets(delta))
    for (const [month, by] of Object.entries(target.months))
      if (by)
        rows.push({
          period: `${target.year}-${month}`,
          agencyCode: null,
          counter: 'onlineServiceDossiers',
          procedureCode: target.procedureCode,
          by,
        });
  const order = (row: CounterChange): string =>
    `${row.period}|${row.agencyCode ?? ''}|${row.procedureCode ?? ''}|${row.counter}`;
  return rows.sort((a, b) => order(a).localeCompare(order(b)));
}
