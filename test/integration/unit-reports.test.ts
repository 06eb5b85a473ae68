import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedProcedureCatalog } from '../../shared/adapters/cached-procedure-catalog.ts';
import { DynamoUnitReportStore } from '../../shared/adapters/dynamo-unit-report-store.ts';
import { keys } from '../../shared/adapters/state-keys.ts';
import { processHeartbeatBatch, processReportBatch } from '../../shared/domain/worker/unit-reports.ts';
import type { CatalogPartMessage, HeartbeatMessage } from '../../shared/schemas/queue.ts';
import { type LocalAws, startLocalAws } from '../helpers/local-aws.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

const record = (body: unknown, id: string) => ({
  messageId: id,
  body: JSON.stringify(body),
  receiveCount: 1,
});
const quiet = { onPoison: () => undefined, onFailure: () => undefined };

async function setup() {
  const { names, doc } = await aws.tables();
  const store = new DynamoUnitReportStore(names.state, doc);
  const get = async (key: { pk: string; sk: string }) =>
    (await doc.send(new GetCommand({ TableName: names.state, Key: key }))).Item;
  return { store, get, names, doc };
}

/** Times inside the queue contract's instant bounds. */
const T = Date.parse('2026-11-23T03:00:00Z');

const heartbeat = (receivedAt: number, version: string): HeartbeatMessage => ({
  v: 1,
  kind: 'heartbeat',
  unitCode: 'H48',
  systemId: 'tthc-core',
  receivedAt,
  sentAt: receivedAt - 1000,
  softwareVersion: version,
});

describe('heartbeat and report workers against DynamoDB Local', () => {
  it('keeps the newest heartbeat per system, whatever order they arrive in', async () => {
    const { store, get } = await setup();
    const response = await processHeartbeatBatch(
      [
        record(heartbeat(T + 3000, 'v3'), 'a'),
        record(heartbeat(T + 1000, 'v1'), 'b'),
        record(heartbeat(T + 3000, 'v3'), 'c'),
      ],
      { store, ...quiet },
    );
    await processHeartbeatBatch([record(heartbeat(T + 2000, 'v2'), 'd')], { store, ...quiet });
    expect(response.failed).toEqual([]);
    expect(await get(keys.heartbeat('H48', 'tthc-core'))).toMatchObject({
      lastSeenAt: T + 3000,
      softwareVersion: 'v3',
    });
  });

  it('reports a heartbeat that breaks the queue contract as a failure', async () => {
    const { store } = await setup();
    const reasons: string[] = [];
    const response = await processHeartbeatBatch([record({ kind: 'heartbeat' }, 'bad')], {
      store,
      onPoison: (p) => reasons.push(p.reason),
      onFailure: () => undefined,
    });
    expect(response.failed).toEqual(['bad']);
    expect(reasons[0]).toMatch(/unitCode/);
  });

  it('makes a catalogue current only once every part has arrived, in any order, and summarises it', async () => {
    const { store, get } = await setup();
    const part = (index: number, levels: ('none' | 'partial' | 'full')[]): CatalogPartMessage => ({
      v: 1,
      kind: 'catalog-part',
      unitCode: 'H48',
      syncId: 'sync-1',
      receivedAt: T + 5000,
      part: index,
      parts: 2,
      procedures: levels.map((onlineLevel, i) => ({
        procedureCode: `1.00${index}00${i}`,
        name: 'Thủ tục',
        onlineLevel,
        feeBearing: i === 0,
      })),
    });
    await processReportBatch([record(part(1, ['full', 'none']), 'p1')], { store, ...quiet });
    expect(await get(keys.catalog('H48'))).toBeUndefined();
    await processReportBatch([record(part(0, ['partial', 'full', 'full']), 'p0')], { store, ...quiet });
    await processReportBatch([record(part(0, ['partial', 'full', 'full']), 'p0-again')], { store, ...quiet });
    expect(await get(keys.catalog('H48'))).toMatchObject({
      syncId: 'sync-1',
      syncedAt: T + 5000,
      procedures: 5,
      online: 4,
      fullOnline: 3,
      feeBearing: 2,
      // Every procedure's level, so online dossiers can be matched against the online procedures.
      procedureLevels: {
        '1.000000': 'partial',
        '1.000001': 'full',
        '1.000002': 'full',
        '1.001000': 'full',
        '1.001001': 'none',
      },
    });
  });

  it('gives the legacy feed each synced procedure’s level and fee, through a cache of bounded age', async () => {
    const { store, names, doc } = await setup();
    const sync = (syncId: string, receivedAt: number, level: 'partial' | 'full'): CatalogPartMessage => ({
      v: 1,
      kind: 'catalog-part',
      unitCode: 'H27',
      syncId,
      receivedAt,
      part: 0,
      parts: 1,
      procedures: [
        { procedureCode: '1.000494', name: 'Thủ tục', onlineLevel: level, feeBearing: true },
        { procedureCode: '1.000495', name: 'Thủ tục', onlineLevel: 'none', feeBearing: false },
      ],
    });
    let now = T;
    const catalogue = new CachedProcedureCatalog(names.state, 300, () => now, doc);
    expect(await catalogue.procedures('H27')).toBeUndefined();
    await processReportBatch([record(sync('sync-a', T + 1000, 'full'), 'a')], { store, ...quiet });
    // The unit had no catalogue a moment ago, and that is what the cache holds for five minutes.
    now = T + 299_999;
    expect(await catalogue.procedures('H27')).toBeUndefined();
    now = T + 300_000;
    const procedures = await catalogue.procedures('H27');
    expect(procedures?.get('1.000494')).toEqual({ onlineLevel: 'full', feeBearing: true });
    expect(procedures?.get('1.000495')).toEqual({ onlineLevel: 'none', feeBearing: false });
    await processReportBatch([record(sync('sync-b', T + 2000, 'partial'), 'b')], { store, ...quiet });
    now = T + 600_000;
    expect((await catalogue.procedures('H27'))?.get('1.000494')?.onlineLevel).toBe('partial');
  });

  it('derives nothing from a catalogue stored before its fees were kept', async () => {
    const { names, doc } = await setup();
    await doc.send(
      new PutCommand({
        TableName: names.state,
        Item: { ...keys.catalog('H09'), syncedAt: T, procedures: 1, procedureLevels: { '1.000494': 'full' } },
      }),
    );
    const catalogue = new CachedProcedureCatalog(names.state, 300, () => T, doc);
    expect(await catalogue.procedures('H09')).toBeUndefined();
  });

  it('keeps the newest self-reported totals for each day', async () => {
    const { store, get } = await setup();
    const totals = (receivedAt: number, received: number) => ({
      v: 1,
      kind: 'daily-totals',
      unitCode: 'H48',
      receivedAt,
      days: [{ date: '2026-11-22', received, receivedOnline: 1, resolved: 1, resolvedOnTime: 1 }],
    });
    await processReportBatch([record(totals(T + 2000, 20), 'n'), record(totals(T + 1000, 10), 'o')], {
      store,
      ...quiet,
    });
    expect(await get(keys.dailyTotals('H48', '2026-11-22'))).toMatchObject({
      received: 20,
      reportedAt: T + 2000,
    });
  });
});
