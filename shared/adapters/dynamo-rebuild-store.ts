import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RebuildStorePort, StateChange, SwapOutcome } from '../app/rebuild.ts';
import { COUNTERS } from '../domain/dossier/counters.ts';
import { type CounterRow, daysOf, type RebuiltCounters, rowId } from '../domain/operations/rebuild.ts';
import type { StoredDossier } from '../domain/worker/count-dossier-events.ts';
import { dynamo } from './dynamo-client.ts';
import type { DynamoDossierStore } from './dynamo-dossier-store.ts';
import { counters } from './dynamo-evaluation-reader.ts';
import { queryAll } from './dynamo-query.ts';
import { withRetry } from './dynamo-retry.ts';
import { keys } from './state-keys.ts';
import { MAX_TRANSACTION_ITEMS, type TransactItem, transact } from './transaction-guard.ts';

/**
 * What a rebuild needs of the state table: holding a unit's commits back behind a fencing token, settling
 * its pending deltas, reading its live counters, and replacing the ones that differ while the token holds.
 */
export class DynamoRebuildStore implements RebuildStorePort {
  constructor(
    private readonly table: string,
    private readonly dossiers: DynamoDossierStore,
    private readonly client: DynamoDBDocumentClient = dynamo,
    private readonly retentionSeconds = 400 * 86_400,
  ) {}

  /**
   * Until `until` (or release), every dossier commit of the unit is refused and retried later. Each hold
   * takes the next token of the unit's hold item, which is never deleted, so tokens only grow: a newer hold
   * fences out an older one.
   */
  async hold(unitCode: string, until: number): Promise<number> {
    const result = await withRetry(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.hold(unitCode),
          UpdateExpression: 'SET #until = :until ADD #token :one',
          ExpressionAttributeNames: { '#until': 'until', '#token': 'token' },
          ExpressionAttributeValues: { ':until': until, ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(result.Attributes?.token);
  }

  /** Ends this hold; a newer hold of the unit, or a hold already ended, is left as it is. */
  async release(unitCode: string, token: number): Promise<void> {
    try {
      await withRetry(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.hold(unitCode),
            UpdateExpression: 'REMOVE #until',
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#until': 'until', '#token': 'token' },
            ExpressionAttributeValues: { ':token': token },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Folds every pending delta, so the counters hold everything committed. */
  async settle(unitCode: string): Promise<void> {
    for (let round = 0; round < 100; round++) {
      await this.dossiers.fold(unitCode, 1);
      if ((await this.dossiers.pending(unitCode)).length === 0) return;
    }
    throw new Error(`Pending deltas of ${unitCode} did not settle.`);
  }

  async readLive(unitCode: string, months: readonly string[]): Promise<RebuiltCounters> {
    const rows = new Map<string, CounterRow>();
    for (const period of [...daysOf(months), ...months]) {
      for (const item of await this.partition(keys.counterPartition(unitCode, period))) {
        const sk = String(item.sk);
        const agencyCode = sk === keys.unitSort ? undefined : sk.slice(2);
        rows.set(rowId(period, agencyCode), { period, agencyCode, values: counters(item) });
      }
    }
    const services = new Map<string, Record<string, number>>();
    for (const year of new Set(months.map((month) => month.slice(0, 4)))) {
      const wanted = months.filter((month) => month.startsWith(year)).map((month) => month.slice(5, 7));
      for (const item of await this.partition(keys.servicePartition(unitCode, year))) {
        const cells = Object.fromEntries(
          wanted.flatMap((mm) => {
            const value = item[`m${mm}`];
            return typeof value === 'number' && value !== 0 ? [[mm, value]] : [];
          }),
        );
        if (Object.keys(cells).length > 0) services.set(`${year}|${String(item.sk)}`, cells);
      }
    }
    return { rows, services };
  }

  private partition(pk: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    });
  }

  loadStates(unitCode: string, dossierCodes: readonly string[]): Promise<Map<string, StoredDossier>> {
    return this.dossiers.load(dossierCodes.map((dossierCode) => ({ unitCode, dossierCode })));
  }

  /**
   * Replaces the live figures that differ with the rebuilt ones, and the dossier states that differ with the
   * rebuilt states (conditional on the version read, so nothing written meanwhile is overwritten blindly).
   * Every transaction also checks that the hold still carries `token` and has not been ended: once a newer
   * rebuild holds the unit, or a commit has ended an expired hold, nothing more is written.
   */
  async swap(
    unitCode: string,
    token: number,
    changes: { live: RebuiltCounters; rebuilt: RebuiltCounters; states: readonly StateChange[] },
    now: number,
    progress: (done: number, total: number) => void = () => undefined,
  ): Promise<SwapOutcome> {
    const { live, rebuilt, states } = changes;
    const writes: { item: TransactItem; dossierCode?: string }[] = [];
    for (const id of new Set([...live.rows.keys(), ...rebuilt.rows.keys()])) {
      const before = live.rows.get(id);
      const after = rebuilt.rows.get(id);
      if (COUNTERS.every((name) => (before?.values[name] ?? 0) === (after?.values[name] ?? 0))) continue;
      const row = (after ?? before) as CounterRow;
      const key = {
        pk: keys.counterPartition(unitCode, row.period),
        sk: row.agencyCode === undefined ? keys.unitSort : keys.agencySort(row.agencyCode),
      };
      const values = Object.fromEntries(
        COUNTERS.flatMap((name) => (after?.values[name] ? [[name, after.values[name]]] : [])),
      );
      writes.push({
        item:
          Object.keys(values).length === 0
            ? { Delete: { TableName: this.table, Key: key } }
            : { Put: { TableName: this.table, Item: { ...key, ...values } } },
      });
    }
    // One update per online-services item, however many of its months differ: a transaction names an item once.
    for (const id of new Set([...live.services.keys(), ...rebuilt.services.keys()])) {
      const [year = '', procedureCode = ''] = id.split('|');
      const before = live.services.get(id) ?? {};
      const after = rebuilt.services.get(id) ?? {};
      const differing = [...new Set([...Object.keys(before), ...Object.keys(after)])]
        .filter((mm) => (before[mm] ?? 0) !== (after[mm] ?? 0))
        .sort();
      if (differing.length === 0) continue;
      const set = differing.filter((mm) => after[mm]);
      const remove = differing.filter((mm) => !after[mm]);
      const clauses = [
        set.length > 0 ? `SET ${set.map((mm) => `#m${mm} = :m${mm}`).join(', ')}` : '',
        remove.length > 0 ? `REMOVE ${remove.map((mm) => `#m${mm}`).join(', ')}` : '',
      ];
      writes.push({
        item: {
          Update: {
            TableName: this.table,
            Key: { pk: keys.servicePartition(unitCode, year), sk: procedureCode },
            UpdateExpression: clauses.filter(Boolean).join(' '),
            ExpressionAttributeNames: Object.fromEntries(differing.map((mm) => [`#m${mm}`, `m${mm}`])),
            ...(set.length > 0
              ? { ExpressionAttributeValues: Object.fromEntries(set.map((mm) => [`:m${mm}`, after[mm]])) }
              : {}),
          },
        },
      });
    }
    for (const change of states) {
      writes.push({
        dossierCode: change.dossierCode,
        item: {
          Put: {
            TableName: this.table,
            Item: {
              ...keys.dossier(unitCode, change.dossierCode),
              s: JSON.stringify(change.state),
              c: JSON.stringify(change.contribution),
              v: change.expectedVersion + 1,
              expiresAt: Math.floor(now / 1000) + this.retentionSeconds,
            },
            ...(change.expectedVersion === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'v = :v',
                  ExpressionAttributeValues: { ':v': change.expectedVersion },
                }),
          },
        },
      });
    }
    const fence: TransactItem = {
      ConditionCheck: {
        TableName: this.table,
        Key: keys.hold(unitCode),
        ConditionExpression: '#token = :token AND attribute_exists(#until)',
        ExpressionAttributeNames: { '#token': 'token', '#until': 'until' },
        ExpressionAttributeValues: { ':token': token },
      },
    };
    let itemsWritten = 0;
    for (let start = 0; start < writes.length; start += MAX_TRANSACTION_ITEMS - 1) {
      const chunk = writes.slice(start, start + MAX_TRANSACTION_ITEMS - 1);
      const cancelled = await transact(this.client, [...chunk.map((write) => write.item), fence]);
      if (cancelled) {
        if (cancelled[chunk.length] === 'ConditionalCheckFailed') return { itemsWritten, holdLost: true };
        const moved = chunk.flatMap((write, index) =>
          cancelled[index] === 'ConditionalCheckFailed' ? [write.dossierCode ?? '?'] : [],
        );
        throw new Error(
          `Dossier state(s) ${moved.join(', ')} of ${unitCode} changed while the unit was held; run the rebuild again.`,
        );
      }
      itemsWritten += chunk.length;
      progress(itemsWritten, writes.length);
    }
    return { itemsWritten, holdLost: false };
  }
}
