import { randomUUID } from 'node:crypto';
import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { DossierVoidStorePort, VoidChange } from '../app/dossiers.ts';
import { COUNTERS } from '../domain/dossier/counters.ts';
import {
  addDelta,
  emptyDelta,
  fromStored,
  type StoredDelta,
  toStored,
  type UnitDelta,
} from '../domain/dossier/delta.ts';
import { counterTargets, footprint, serviceTargets } from '../domain/dossier/rollup.ts';
import type { DossierState } from '../domain/dossier/state.ts';
import type { VoidRecord } from '../domain/dossier/voiding.ts';
import type { Clock } from '../domain/ports.ts';
import type {
  CommitOutcome,
  DossierChange,
  DossierKey,
  DossierStorePort,
  StoredDossier,
} from '../domain/worker/count-dossier-events.ts';
import { dossierId } from '../domain/worker/count-dossier-events.ts';
import type { CapacityMeter } from './capacity-meter.ts';
import { dynamo } from './dynamo-client.ts';
import { setIfNewerWithHistory } from './dynamo-newest.ts';
import { queryAll } from './dynamo-query.ts';
import { withRetry } from './dynamo-retry.ts';
import { backoffMs, sleep } from './retry.ts';
import { bucketOf, HISTORY_TTL_SECONDS, keys } from './state-keys.ts';
import { MAX_TRANSACTION_ITEMS, type TransactItem, transact } from './transaction-guard.ts';

const dossierItemSchema = z.object({
  pk: z.string(),
  s: z.string(),
  v: z.number().int(),
  c: z.string().optional(),
  x: z.string().optional(),
});
const voidMarkSchema = z.object({ at: z.number(), by: z.string(), reason: z.string() });
const contributionsSchema = z.object({
  cells: z.array(
    z.object({
      agencyCode: z.string(),
      day: z.string(),
      values: z.partialRecord(z.enum(COUNTERS), z.number()),
    }),
  ),
  onlineService: z.object({ procedureCode: z.string(), month: z.string() }).optional(),
});
const voidRecordSchema = z.object({
  unitCode: z.string(),
  dossierCode: z.string(),
  status: z.enum(['voided', 'restored']),
  at: z.number(),
  by: z.string(),
  reason: z.string(),
  lastState: z.record(z.string(), z.unknown()).transform((state) => state as DossierState),
  counted: contributionsSchema,
  history: z.array(
    z.object({ action: z.enum(['voided', 'restored']), at: z.number(), by: z.string(), reason: z.string() }),
  ),
});
const pendingItemSchema = z.object({ pk: z.string(), sk: z.string(), d: z.string() });

/**
 * Dossier state, pending deltas and counters in one DynamoDB table. Dossier changes and the delta they cause
 * are written in one transaction; pending deltas are folded into the counters in another, which deletes the
 * deltas it folds. Counters plus pending deltas are therefore always exact.
 */
export class DynamoDossierStore implements DossierStorePort, DossierVoidStorePort {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = dynamo,
    private readonly meter?: CapacityMeter,
    /** A dossier is forgotten this long after its last change: events older than the retention window are refused anyway. */
    private readonly retentionSeconds = 400 * 86_400,
    /** The process's clock: the hold check and the order of pending deltas read it. */
    private readonly clock: Clock = Date.now,
  ) {}

  async load(dossierKeys: readonly DossierKey[]): Promise<Map<string, StoredDossier>> {
    const found = new Map<string, StoredDossier>();
    const byPk = new Map(dossierKeys.map((key) => [keys.dossier(key.unitCode, key.dossierCode).pk, key]));
    const all = [...byPk.keys()];
    const chunks = Array.from({ length: Math.ceil(all.length / 100) }, (_, i) =>
      all.slice(i * 100, i * 100 + 100),
    );
    // A worker's batch is one chunk; a rebuild's thousands are read eight at a time.
    const readChunk = async (chunk: string[]): Promise<void> => {
      let request: Record<string, { Keys: Record<string, string>[]; ConsistentRead: boolean }> | undefined = {
        [this.table]: {
          Keys: chunk.map((pk) => ({ pk, sk: '-' })),
          ConsistentRead: true,
        },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffMs(attempt, 25, 1_000));
        const batch: typeof request = request;
        const result = await withRetry(() =>
          this.client.send(new BatchGetCommand({ RequestItems: batch, ReturnConsumedCapacity: 'TOTAL' })),
        );
        this.meter?.record(result.ConsumedCapacity, 'read');
        for (const raw of result.Responses?.[this.table] ?? []) {
          const item = dossierItemSchema.parse(raw);
          const key = byPk.get(item.pk);
          if (!key) continue;
          const stored: StoredDossier = { state: JSON.parse(item.s) as DossierState, version: item.v };
          if (item.c !== undefined) stored.contribution = contributionsSchema.parse(JSON.parse(item.c));
          if (item.x !== undefined) stored.voided = voidMarkSchema.parse(JSON.parse(item.x));
          found.set(dossierId(key), stored);
        }
        request = result.UnprocessedKeys as typeof request;
      }
    };
    for (let start = 0; start < chunks.length; start += 8)
      await Promise.all(chunks.slice(start, start + 8).map(readChunk));
    return found;
  }

  async commit(
    unitCode: string,
    changes: readonly DossierChange[],
    delta: UnitDelta,
  ): Promise<CommitOutcome> {
    return this.commitItems(
      unitCode,
      changes.map((change) => this.dossierPut(change)),
      changes.map((change) => change.key),
      delta,
    );
  }

  /**
   * Voids or restores dossiers: each dossier's new state and its archived record, with the delta, in one
   * transaction under the same version and hold conditions as a worker's commit.
   */
  async commitVoids(
    unitCode: string,
    changes: readonly VoidChange[],
    delta: UnitDelta,
  ): Promise<CommitOutcome> {
    return this.commitItems(
      unitCode,
      [
        ...changes.map((change) => this.dossierPut(change)),
        ...changes.map(
          (change): TransactItem => ({
            Put: {
              TableName: this.table,
              Item: {
                ...keys.voidRecord(change.key.unitCode, change.key.dossierCode),
                r: JSON.stringify(change.record),
                status: change.record.status,
                at: change.record.at,
              },
            },
          }),
        ),
      ],
      changes.map((change) => change.key),
      delta,
    );
  }

  /** Every voiding archived for the unit, voided or restored since. */
  async voidRecords(unitCode: string): Promise<VoidRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.voidPartition(unitCode) },
      ConsistentRead: true,
    });
    return items.map((item) => voidRecordSchema.parse(JSON.parse(z.object({ r: z.string() }).parse(item).r)));
  }

  private dossierPut(change: DossierChange): TransactItem {
    return {
      Put: {
        TableName: this.table,
        Item: {
          ...keys.dossier(change.key.unitCode, change.key.dossierCode),
          s: JSON.stringify(change.state),
          c: JSON.stringify(change.contribution),
          ...(change.voided ? { x: JSON.stringify(change.voided) } : {}),
          v: change.expectedVersion + 1,
          expiresAt: Math.floor(this.clock() / 1000) + this.retentionSeconds,
        },
        ...(change.expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': change.expectedVersion } }),
      },
    };
  }

  /** The dossier items first (so a cancellation's index names the dossier), then the delta and the hold check. */
  private async commitItems(
    unitCode: string,
    dossierItems: TransactItem[],
    changed: readonly DossierKey[],
    delta: UnitDelta,
  ): Promise<CommitOutcome> {
    const now = this.clock();
    const items = [...dossierItems];
    const stored = toStored(delta);
    if (stored.c.length > 0 || stored.s.length > 0) {
      items.push({
        Put: {
          TableName: this.table,
          Item: {
            pk: keys.pendingPartition(unitCode),
            sk: `${now.toString(36).padStart(9, '0')}#${randomUUID()}`,
            d: JSON.stringify(stored),
          },
        },
      });
    }
    if (items.length === 0) return { ok: true };
    items.push(holdCheck(this.table, unitCode, now));
    const cancelled = await this.transact(items);
    if (!cancelled) return { ok: true };
    if (cancelled[items.length - 1] === 'ConditionalCheckFailed') return { ok: false, stale: [], held: true };
    const stale = cancelled.flatMap((code, index) => {
      const key = changed[index];
      return code === 'ConditionalCheckFailed' && key ? [key] : [];
    });
    return { ok: false, stale };
  }

  async fold(unitCode: string, minPending: number): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const pending = await this.pending(unitCode);
      if (pending.length === 0 || pending.length < minPending) return;
      const groups = groupForFold(pending);
      let folded = 0;
      for (const group of groups) {
        const cancelled = await this.transact([
          ...group.deltas.map(
            (item): TransactItem => ({
              Delete: {
                TableName: this.table,
                Key: { pk: item.pk, sk: item.sk },
                ConditionExpression: 'attribute_exists(pk)',
              },
            }),
          ),
          ...counterUpdates(this.table, group.sum, unitCode),
        ]);
        if (!cancelled) folded++;
      }
      // Another worker folded some of the same deltas first; nothing was applied twice, so look again.
      if (folded === groups.length && pending.length < 200) return;
      minPending = 1;
    }
  }

  async touchFeed(unitCode: string, receivedAt: number): Promise<void> {
    await setIfNewerWithHistory(
      this.client,
      this.table,
      keys.feed(unitCode),
      keys.feedHistory(unitCode),
      bucketOf,
      HISTORY_TTL_SECONDS,
      'lastEventAt',
      receivedAt,
      {},
      this.meter,
    );
  }

  /** Pending deltas of a unit, oldest first, at most 200 per look. */
  async pending(unitCode: string): Promise<{ pk: string; sk: string; delta: UnitDelta; size: number }[]> {
    const result = await withRetry(() =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.pendingPartition(unitCode) },
          ConsistentRead: true,
          Limit: 200,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    this.meter?.record(result.ConsumedCapacity ? [result.ConsumedCapacity] : [], 'read');
    return (result.Items ?? []).map((raw) => {
      const item = pendingItemSchema.parse(raw);
      return {
        pk: item.pk,
        sk: item.sk,
        delta: fromStored(JSON.parse(item.d) as StoredDelta),
        size: item.d.length,
      };
    });
  }

  /** Runs a transaction; the cancellation codes when a condition failed (`transaction-guard.ts`). */
  private transact(items: TransactItem[]): Promise<string[] | undefined> {
    return transact(this.client, items, this.meter);
  }
}

interface FoldGroup {
  deltas: { pk: string; sk: string }[];
  sum: UnitDelta;
}

/** Groups pending deltas so that each fold transaction's deletes plus counter updates fit in one transaction. */
function groupForFold(pending: { pk: string; sk: string; delta: UnitDelta }[]): FoldGroup[] {
  const groups: FoldGroup[] = [];
  let current: FoldGroup = { deltas: [], sum: emptyDelta() };
  for (const item of pending) {
    const trial = emptyDelta();
    addDelta(trial, current.sum);
    addDelta(trial, item.delta);
    const size = current.deltas.length + 1 + footprint(trial);
    if (size > MAX_TRANSACTION_ITEMS && current.deltas.length > 0) {
      groups.push(current);
      current = { deltas: [], sum: emptyDelta() };
      addDelta(current.sum, item.delta);
    } else {
      current.sum = trial;
    }
    current.deltas.push({ pk: item.pk, sk: item.sk });
  }
  if (current.deltas.length > 0) groups.push(current);
  return groups;
}

function counterUpdates(table: string, delta: UnitDelta, unitCode: string): TransactItem[] {
  const updates: TransactItem[] = [];
  for (const target of counterTargets(delta)) {
    const names = COUNTERS.filter((name) => target.values[name]);
    updates.push({
      Update: {
        TableName: table,
        Key: {
          pk: keys.counterPartition(unitCode, target.period),
          sk: target.agencyCode === undefined ? keys.unitSort : keys.agencySort(target.agencyCode),
        },
        UpdateExpression: `ADD ${names.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(
          names.map((name, i) => [`:c${i}`, target.values[name]]),
        ),
      },
    });
  }
  for (const target of serviceTargets(delta)) {
    const months = Object.entries(target.months);
    updates.push({
      Update: {
        TableName: table,
        Key: { pk: keys.servicePartition(unitCode, target.year), sk: target.procedureCode },
        UpdateExpression: `ADD ${months.map((_, i) => `#m${i} :m${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(months.map(([month], i) => [`#m${i}`, `m${month}`])),
        ExpressionAttributeValues: Object.fromEntries(months.map(([, count], i) => [`:m${i}`, count])),
      },
    });
  }
  return updates;
}

/**
 * A commit's look at the unit's rebuild hold: refused while a hold stands, and ending a hold that has
 * expired by this process's clock. Ending it removes `until`, which the expired rebuild's swap writes
 * require, so a late swap can never overwrite what this commit adds (`dynamo-rebuild-store.ts`).
 */
function holdCheck(table: string, unitCode: string, now: number): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: keys.hold(unitCode),
      UpdateExpression: 'REMOVE #until',
      ConditionExpression: 'attribute_not_exists(#until) OR #until < :now',
      ExpressionAttributeNames: { '#until': 'until' },
      ExpressionAttributeValues: { ':now': now },
    },
  };
}
