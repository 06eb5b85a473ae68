import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDossierStore } from '../../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoRebuildStore } from '../../../shared/adapters/dynamo-rebuild-store.ts';
import { DynamoRegistry } from '../../../shared/adapters/dynamo-registry.ts';
import { MalformedTransactionError } from '../../../shared/adapters/transaction-guard.ts';
import { COUNTERS, type CounterValues } from '../../../shared/domain/dossier/counters.ts';
import { fromStored, type StoredDelta } from '../../../shared/domain/dossier/delta.ts';
import { footprint } from '../../../shared/domain/dossier/rollup.ts';
import type { CounterRow, RebuiltCounters } from '../../../shared/domain/operations/rebuild.ts';
import { mergeUnits, splitUnit } from '../../../shared/domain/registry/lifecycle.ts';
import { unitSchema } from '../../../shared/schemas/registry.ts';
import { demoRegistry } from '../../../simulator/registry.ts';

/**
 * Every TransactWriteItems the dossier store builds must name each item once and hold at most 100 items:
 * DynamoDB refuses anything else as a whole. The store is driven against a small in-memory table behind the
 * SDK mock, which refuses such transactions the way DynamoDB does.
 */

type Item = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
const TABLE = 'emc-state';
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-southeast-1' }));
const dynamoMock = mockClient(client);

/** The item a transaction entry names, computed here from the request alone. */
function identity(item: Item): string {
  const key = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key ?? {};
  return `${String(key.pk)}|${String(key.sk)}`;
}

interface FakeTable {
  pending: Map<string, string>;
  counters: Map<string, number>;
  transactions: Item[][];
}

function fakeTable(): FakeTable {
  const table: FakeTable = { pending: new Map(), counters: new Map(), transactions: [] };
  dynamoMock.on(QueryCommand).callsFake(() => ({
    Items: [...table.pending]
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(0, 200)
      .map(([sk, d]) => ({ pk: 'P#H01', sk, d })),
  }));
  dynamoMock.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamoMock.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
    const items = input.TransactItems ?? [];
    table.transactions.push(items);
    const ids = items.map(identity);
    if (new Set(ids).size !== ids.length || items.length > 100)
      throw new Error(
        'ValidationException: Transaction request cannot include multiple operations on one item',
      );
    for (const item of items) {
      if (item.Delete) table.pending.delete(String(item.Delete.Key?.sk));
      if (item.Put && String(item.Put.Item?.pk).startsWith('P#'))
        table.pending.set(String(item.Put.Item?.sk), String(item.Put.Item?.d));
      const update = item.Update;
      if (!update) continue;
      const pairs = (update.UpdateExpression ?? '').replace(/^ADD /, '').split(', ');
      for (const pair of pairs) {
        const [name = '', value = ''] = pair.split(' ');
        const attribute = update.ExpressionAttributeNames?.[name];
        const amount = Number(update.ExpressionAttributeValues?.[value]);
        const cell = `${identity(item)}|${attribute}`;
        table.counters.set(cell, (table.counters.get(cell) ?? 0) + amount);
      }
    }
    return {};
  });
  return table;
}

const days = fc
  .tuple(
    fc.constantFrom('2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2028-02'),
    fc.integer({ min: 1, max: 28 }),
  )
  .map(([month, day]) => `${month}-${String(day).padStart(2, '0')}`);
const agencies = fc.constantFrom('000.00.10.H01', '000.00.11.H01', '000.00.12.H01');
const counterValues = fc
  .dictionary(fc.constantFrom(...COUNTERS), fc.integer({ min: -3, max: 5 }), { maxKeys: 4 })
  .map((values) => values as CounterValues);
const storedDelta: fc.Arbitrary<StoredDelta> = fc.record({
  c: fc.array(
    fc.tuple(
      fc.tuple(days, agencies).map(([day, agency]) => `${day}|${agency}`),
      counterValues,
    ),
    { maxLength: 6 },
  ),
  s: fc.array(
    fc.tuple(
      fc
        .tuple(days, fc.constantFrom('1.001234', '1.000494', '2.002211'))
        .map(([day, procedure]) => `${day.slice(0, 7)}|${procedure}`),
      fc.integer({ min: -2, max: 3 }),
    ),
    { maxLength: 6 },
  ),
});
/** A delta as the worker writes it: its own footprint bounded, so it can always be folded. */
const workerDelta = storedDelta
  .map((stored) => ({ c: [...new Map(stored.c)], s: [...new Map(stored.s)] }))
  .filter((stored) => footprint(fromStored(stored)) <= 96);

/** What the counters must hold once every delta is folded: the plain sum, cell by cell. */
function expectedCounters(deltas: readonly StoredDelta[]): Map<string, number> {
  const out = new Map<string, number>();
  const add = (cell: string, value: number): void => {
    out.set(cell, (out.get(cell) ?? 0) + value);
  };
  for (const delta of deltas) {
    for (const [cell, values] of delta.c) {
      const [day = '', agency = ''] = cell.split('|');
      for (const [name, value] of Object.entries(values)) {
        if (!value) continue;
        for (const period of [day, day.slice(0, 7)]) {
          add(`C#H01#${period}|A#${agency}|${name}`, value);
          add(`C#H01#${period}|U|${name}`, value);
        }
      }
    }
    for (const [cell, count] of delta.s) {
      const [month = '', procedure = ''] = cell.split('|');
      if (count) add(`S#H01#${month.slice(0, 4)}|${procedure}|m${month.slice(5, 7)}`, count);
    }
  }
  return new Map([...out].filter(([, value]) => value !== 0));
}

const nonZero = (counters: Map<string, number>): Map<string, number> =>
  new Map([...counters].filter(([, value]) => value !== 0));

describe('transactions built by the dossier store', () => {
  beforeEach(() => dynamoMock.reset());

  it('folds two months of one procedure into one update of the year item', async () => {
    const table = fakeTable();
    table.pending.set('a', JSON.stringify({ c: [], s: [['2026-11|1.001234', 1]] }));
    table.pending.set('b', JSON.stringify({ c: [], s: [['2026-12|1.001234', 1]] }));
    await new DynamoDossierStore(TABLE, client).fold('H01', 1);
    expect(table.transactions).toHaveLength(1);
    expect(table.counters.get('S#H01#2026|1.001234|m11')).toBe(1);
    expect(table.counters.get('S#H01#2026|1.001234|m12')).toBe(1);
    expect(table.pending.size).toBe(0);
  });

  it('never names an item twice nor exceeds 100 items when folding, and folds every delta exactly', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(workerDelta, { minLength: 1, maxLength: 220 }), async (deltas) => {
        runs++;
        dynamoMock.reset();
        const table = fakeTable();
        deltas.forEach((delta, i) => {
          table.pending.set(String(i).padStart(5, '0'), JSON.stringify(delta));
        });
        await new DynamoDossierStore(TABLE, client).fold('H01', 1);
        for (const items of table.transactions) {
          expect(items.length).toBeLessThanOrEqual(100);
          expect(new Set(items.map(identity)).size).toBe(items.length);
        }
        expect(table.pending.size).toBe(0);
        expect(nonZero(table.counters)).toEqual(expectedCounters(deltas));
      }),
      { numRuns: 100 },
    );
    expect(runs).toBe(100);
  }, 120_000);

  it('commits a batch of distinct dossiers and its delta as one well-formed transaction', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 98 }),
        workerDelta,
        async (codes, delta) => {
          dynamoMock.reset();
          const table = fakeTable();
          const changes = codes.map((dossierCode) => ({
            key: { unitCode: 'H01', dossierCode },
            expectedVersion: 0,
            state: { receivedAt: null } as never,
            contribution: { cells: [] },
          }));
          await new DynamoDossierStore(TABLE, client).commit('H01', changes, fromStored(delta));
          const [items = []] = table.transactions;
          expect(items.length).toBeLessThanOrEqual(100);
          expect(new Set(items.map(identity)).size).toBe(items.length);
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);

  it('writes every merge and split of the registry as one transaction naming each unit once', async () => {
    const units = demoRegistry().map((unit) => unitSchema.parse(unit));
    const codes = units.map((unit) => unit.unitCode);
    const at = Date.parse('2025-06-20T02:00:00Z');
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(codes, { minLength: 2, maxLength: codes.length }),
        fc.boolean(),
        async ([target = '', ...others], split) => {
          dynamoMock.reset();
          const table = fakeTable();
          const changed = split
            ? splitUnit(
                units,
                target,
                others
                  .slice(0, 3)
                  .map((unitCode, i) => (i === 0 ? { unitCode } : { unitCode, agencies: [] })),
                '2025-07-01',
                at,
              )
            : mergeUnits(units, target, [...others, ...others.slice(0, 2)], '2025-07-01', at);
          await new DynamoRegistry(TABLE, client).putUnits(changed);
          const [items = []] = table.transactions;
          expect(items).toHaveLength(changed.length);
          expect(new Set(items.map(identity)).size).toBe(items.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("fences every rebuild swap transaction with the hold's token, naming each item once in at most 100", async () => {
    const row = fc.record({
      period: fc.oneof(
        days,
        days.map((day) => day.slice(0, 7)),
      ),
      agencyCode: fc.option(agencies, { nil: undefined }),
      values: counterValues,
    });
    const counters: fc.Arbitrary<RebuiltCounters> = fc.record({
      rows: fc
        .array(row, { maxLength: 150 })
        .map(
          (rows) => new Map(rows.map((r): [string, CounterRow] => [`${r.period}|${r.agencyCode ?? ''}`, r])),
        ),
      services: fc
        .array(
          fc.tuple(
            fc.constantFrom('2025|1.001234', '2026|1.001234', '2026|1.000494'),
            fc.dictionary(fc.constantFrom('01', '02', '11', '12'), fc.integer({ min: 1, max: 9 })),
          ),
          { maxLength: 3 },
        )
        .map((entries) => new Map(entries)),
    });
    const states = fc
      .uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 120 })
      .map((codes) =>
        codes.map((dossierCode, i) => ({
          dossierCode,
          expectedVersion: i % 3,
          state: {},
          contribution: { cells: [] },
        })),
      );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        counters,
        counters,
        states,
        fc.integer({ min: 1, max: 99 }),
        async (live, rebuilt, changes, token) => {
          runs++;
          dynamoMock.reset();
          const table = fakeTable();
          const store = new DynamoRebuildStore(TABLE, new DynamoDossierStore(TABLE, client), client);
          const outcome = await store.swap('H01', token, { live, rebuilt, states: changes }, 0);
          const written = table.transactions.flatMap((items) => items.slice(0, -1));
          expect(outcome).toEqual({ itemsWritten: written.length, holdLost: false });
          expect(written.length).toBeGreaterThanOrEqual(changes.length);
          for (const items of table.transactions) {
            expect(items.length).toBeLessThanOrEqual(100);
            expect(new Set(items.map(identity)).size).toBe(items.length);
            expect(items.at(-1)?.ConditionCheck).toMatchObject({
              Key: { pk: 'W#H01', sk: 'hold' },
              ExpressionAttributeValues: { ':token': token },
            });
          }
        },
      ),
      { numRuns: 100 },
    );
    expect(runs).toBe(100);
  }, 60_000);

  it('refuses, before sending, a transaction that names an item twice or has over 100 items', async () => {
    const table = fakeTable();
    const unit = unitSchema.parse(demoRegistry()[0]);
    const registry = new DynamoRegistry(TABLE, client);
    await expect(registry.putUnits([unit, unit])).rejects.toThrow(MalformedTransactionError);
    const many = Array.from({ length: 101 }, (_, i) => ({
      ...unit,
      unitCode: `H${String(i % 100).padStart(2, '0')}`,
    }));
    await expect(registry.putUnits(many)).rejects.toThrow(/101 items/);
    const hundred = many.slice(0, 100);
    await registry.putUnits(hundred);
    expect(table.transactions).toEqual([expect.any(Array)]);
    expect(table.transactions[0]).toHaveLength(100);
  });
});
