import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  return { store, get };
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
