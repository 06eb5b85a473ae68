import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { COUNTERS } from '../domain/dossier/counters.ts';
import type { Contributions, DossierState } from '../domain/dossier/state.ts';
import { type CounterRow, daysOf, type RebuiltCounters, rowId } from '../domain/operations/rebuild.ts';
import type { StoredDossier } from '../domain/worker/count-dossier-events.ts';
import { dynamo } from './dynamo-client.ts';
import type { DynamoDossierStore } from './dynamo-dossier-store.ts';
import { counters } from './dynamo-evaluation-reader.ts';
import { queryAll } from './dynamo-query.ts';
import { withRetry } from './dynamo-retry.ts';
import { keys } from './state-keys.ts';

/** Same state, whatever order its fields were written in. */
export function sameState(a: DossierState | undefined, b: DossierState | undefined): boolean {
  const canonical = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)))
        : v,
    );
  return canonical(a ?? {}) === canonical(b ?? {});
}

export interface StateChange {
  dossierCode: string;
  expectedVersion: number;
  state: DossierState;
  /** The contribution under the rules the rebuild applied, stored with the state. */
  contribution: Contributions;
}

/**
 * What a rebuild needs of the state table: holding a unit's commits back, settling its pending deltas,
 * reading its live counters, and replacing the ones that differ.
 */
export class DynamoRebuildStore {
  constructor(
    private readonly table: string,
    private readonly dossiers: DynamoDossierStore,
    private readonly client: DynamoDBDocumentClient = dynamo,
    private readonly retentionSeconds = 400 * 86_400,
  ) {}

  /** From now until `until` (or release), every dossier commit of the unit is refused and retried later. */
  async hold(unitCode: string, until: number): Promise<void> {
    await withRetry(() =>
      this.client.send(new PutCommand({ TableName: this.table, Item: { ...keys.hold(unitCode), until } })),
    );
  }

  async release(unitCode: string): Promise<void> {
    await withRetry(() =>
      this.client.send(new DeleteCommand({ TableName: this.table, Key: keys.hold(unitCode) })),
    );
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
   * Returns the number of items written.
   */
  async swap(
    unitCode: string,
    live: RebuiltCounters,
    rebuilt: RebuiltCounters,
    states: readonly StateChange[],
    progress: (done: number, total: number) => void = () => undefined,
  ): Promise<number> {
    const writes: (() => Promise<unknown>)[] = [];
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
      writes.push(() =>
        Object.keys(values).length === 0
          ? this.client.send(new DeleteCommand({ TableName: this.table, Key: key }))
          : this.client.send(new PutCommand({ TableName: this.table, Item: { ...key, ...values } })),
      );
    }
    for (const id of new Set([...live.services.keys(), ...rebuilt.services.keys()])) {
      const [year = '', procedureCode = ''] = id.split('|');
      const before = live.services.get(id) ?? {};
      const after = rebuilt.services.get(id) ?? {};
      for (const mm of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if ((before[mm] ?? 0) === (after[mm] ?? 0)) continue;
        const key = { pk: keys.servicePartition(unitCode, year), sk: procedureCode };
        writes.push(() =>
          this.client.send(
            new UpdateCommand({
              TableName: this.table,
              Key: key,
              ...(after[mm]
                ? {
                    UpdateExpression: 'SET #m = :n',
                    ExpressionAttributeNames: { '#m': `m${mm}` },
                    ExpressionAttributeValues: { ':n': after[mm] },
                  }
                : { UpdateExpression: 'REMOVE #m', ExpressionAttributeNames: { '#m': `m${mm}` } }),
            }),
          ),
        );
      }
    }
    for (const change of states) {
      writes.push(() =>
        this.client.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...keys.dossier(unitCode, change.dossierCode),
              s: JSON.stringify(change.state),
              c: JSON.stringify(change.contribution),
              v: change.expectedVersion + 1,
              expiresAt: Math.floor(Date.now() / 1000) + this.retentionSeconds,
            },
            ...(change.expectedVersion === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'v = :v',
                  ExpressionAttributeValues: { ':v': change.expectedVersion },
                }),
          }),
        ),
      );
    }
    let done = 0;
    for (let start = 0; start < writes.length; start += 16) {
      await Promise.all(
        writes.slice(start, start + 16).map(async (write) => {
          await withRetry(write);
          progress(++done, writes.length);
        }),
      );
    }
    return writes.length;
  }
}
