/**
 * One evaluation and publish of `units` units with `agenciesPerUnit` agencies each, against DynamoDB Local
 * and s3rver: wall time, DynamoDB read requests and units, and the snapshot published. Shared by
 * bench:evaluate (two sizes, to show reads grow linearly with units) and bench:cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoLocal, startS3 } from '../../local/servers.ts';
import { CapacityMeter } from '../../shared/adapters/capacity-meter.ts';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoEvaluationReader } from '../../shared/adapters/dynamo-evaluation-reader.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { DynamoStatusStore } from '../../shared/adapters/dynamo-status-store.ts';
import { createTables } from '../../shared/adapters/dynamo-tables.ts';
import { S3SnapshotPublisher } from '../../shared/adapters/s3-snapshot-publisher.ts';
import { LocalAlertPublisher } from '../../shared/adapters/sns-alert-publisher.ts';
import { keys } from '../../shared/adapters/state-keys.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { evaluate } from '../../shared/domain/evaluation/evaluate.ts';
import type { SnapshotFiles, SnapshotPort } from '../../shared/domain/evaluation/ports.ts';
import { addDays } from '../../shared/domain/time.ts';
import { prng } from '../../test/helpers/dossier-streams.ts';
import { credentials, dynamoClients, region } from '../../test/helpers/local-aws.ts';

const AT = Date.parse('2026-11-23T03:00:00Z');
const TODAY = '2026-11-23';

export interface EvaluationFigures {
  units: number;
  agencies: number;
  seconds: number;
  readRequests: number;
  readUnits: number;
  snapshotObjects: number;
  snapshotBytes: number;
  byStatus: Record<string, number>;
  /** `latest.json` and the largest unit file, gzipped as served. */
  latestGzipBytes: number;
  largestUnitGzipBytes: number;
  /** A second evaluation 15 minutes later with nothing changed: bytes and objects it wrote. */
  unchanged?: { snapshotBytes: number; snapshotObjects: number };
}

/** Delegates to the real publisher and keeps the last files, so their sizes can be printed. */
class RecordingPublisher implements SnapshotPort {
  last: SnapshotFiles | undefined;
  constructor(private readonly inner: SnapshotPort) {}
  async publish(files: SnapshotFiles): Promise<{ bytes: number; objects: number }> {
    this.last = files;
    return this.inner.publish(files);
  }
  async publishAsOf(files: SnapshotFiles): Promise<{ bytes: number; objects: number }> {
    return this.inner.publishAsOf(files);
  }
}

export async function measureEvaluation(
  UNITS: number,
  AGENCIES_PER_UNIT: number,
  log: (line: string) => void = () => undefined,
  again = false,
): Promise<EvaluationFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'emc-bench-'));
  const [dynamo, s3server] = await Promise.all([
    startDynamoLocal(),
    startS3({ directory: dir, buckets: ['bench'] }),
  ]);
  try {
    const { raw, doc } = dynamoClients(dynamo.endpoint);
    const table = 'bench-evaluate';
    await createTables(raw, { state: table, keys: 'bench-evaluate-keys' });
    const random = prng(7);
    const units = Array.from({ length: UNITS }, (_, i) =>
      i < 20 ? `G${String(i + 1).padStart(2, '0')}` : `H${String(i - 19).padStart(2, '0')}`,
    );
    const items: Record<string, unknown>[] = [];
    const counters = (scale: number) => {
      const received = Math.floor(scale * (20 + random() * 80));
      const online = Math.floor(received * 0.385);
      const resolved = Math.floor(received * 0.9);
      return {
        received,
        receivedOnline: online,
        fullOnlineEligible: Math.floor(received / 2),
        fullOnline: Math.floor(online / 2),
        feeRequired: Math.floor(received * 0.4),
        paidOnline: Math.floor(online * 0.3),
        paidOnlineAmountVnd: online * 15_000,
        resolved,
        resolvedOnline: Math.floor(resolved * 0.38),
        resolvedWithDueDate: resolved,
        resolvedOnTime: Math.floor(resolved * 0.93),
        digitized: Math.floor(resolved * 0.6),
        rated: Math.floor(resolved * 0.2),
        satisfied: Math.floor(resolved * 0.18),
      };
    };
    const registry = new DynamoRegistry(table, doc);
    for (const [index, unitCode] of units.entries()) {
      const agencies = Array.from({ length: AGENCIES_PER_UNIT }, (_, a) => ({
        agencyCode: `000.${String(Math.floor(a / 10)).padStart(2, '0')}.${String(10 + (a % 10)).padStart(2, '0')}.${unitCode}`,
        name: `Cơ quan ${a}`,
        level: a < 20 ? 'department' : 'commune',
      }));
      await registry.putUnit({
        unitCode,
        name: `Đơn vị ${unitCode}`,
        kind: unitCode.startsWith('G') ? 'ministry' : 'province',
        systems: ['core'],
        agencies,
      });
      for (let d = 0; d < 90; d++)
        items.push({
          pk: keys.counterPartition(unitCode, addDays(TODAY, -d)),
          sk: 'U',
          ...counters(AGENCIES_PER_UNIT),
        });
      for (let m = 1; m <= 11; m++) {
        const month = `2026-${String(m).padStart(2, '0')}`;
        if (m < 11)
          items.push({
            pk: keys.counterPartition(unitCode, month),
            sk: 'U',
            ...counters(AGENCIES_PER_UNIT * 30),
          });
        for (const agency of agencies)
          items.push({
            pk: keys.counterPartition(unitCode, month),
            sk: `A#${agency.agencyCode}`,
            ...counters(30),
          });
      }
      for (let d = 0; d < 7; d++) {
        for (const agency of agencies)
          items.push({
            pk: keys.counterPartition(unitCode, addDays(TODAY, -d)),
            sk: `A#${agency.agencyCode}`,
            ...counters(1),
          });
      }
      for (let p = 0; p < 200; p++)
        items.push({
          pk: keys.servicePartition(unitCode, '2026'),
          sk: `1.00${String(1000 + p)}`,
          m10: 3,
          m11: p % 2,
        });
      items.push({
        ...keys.heartbeat(unitCode, 'core'),
        lastSeenAt: AT - (index % 17 === 0 ? 3 * 3_600_000 : 60_000),
      });
      items.push({ ...keys.feed(unitCode), lastEventAt: AT - 3_600_000 });
      items.push({
        ...keys.catalog(unitCode),
        syncedAt: AT - 86_400_000,
        syncId: 's',
        procedures: 1500,
        online: 1200,
        fullOnline: 700,
        feeBearing: 600,
      });
      items.push({
        ...keys.dailyTotals(unitCode, addDays(TODAY, -1)),
        reportedAt: AT - 3_600_000,
        received: 1,
        receivedOnline: 0,
        resolved: 0,
        resolvedOnTime: 0,
      });
    }
    const seedStart = Date.now();
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < chunks.length) {
          let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
            [table]: (chunks[next++] ?? []).map((Item) => ({ PutRequest: { Item } })),
          };
          while (request && Object.keys(request).length > 0) {
            const result = await doc.send(new BatchWriteCommand({ RequestItems: request }));
            request = result.UnprocessedItems as typeof request;
          }
        }
      }),
    );
    log(
      `seeded ${items.length} items for ${UNITS} units and ${UNITS * AGENCIES_PER_UNIT} agencies in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`,
    );

    const s3 = new S3Client({
      endpoint: s3server.endpoint,
      region,
      credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    const meter = new CapacityMeter();
    const dossiers = new DynamoDossierStore(table, doc, meter);
    const publisher = new RecordingPublisher(new S3SnapshotPublisher('bench', s3));
    const run = (at: number) =>
      evaluate({
        config: loadSettings({}),
        registry,
        reader: new DynamoEvaluationReader(table, dossiers, doc, meter),
        statuses: new DynamoStatusStore(table, doc),
        alerts: new LocalAlertPublisher(s3, 'bench', () => undefined),
        snapshots: publisher,
        at,
        now: at,
      });
    const started = process.hrtime.bigint();
    const summary = await run(AT);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const readRequests = meter.requests;
    const readUnits = meter.readUnits;
    const files = publisher.last;
    const gzipped = (value: unknown): number => gzipSync(JSON.stringify(value)).length;
    const second = again ? await run(AT + 15 * 60_000) : undefined;
    return {
      units: UNITS,
      agencies: UNITS * AGENCIES_PER_UNIT,
      seconds,
      readRequests,
      readUnits,
      snapshotObjects: summary.snapshotObjects,
      snapshotBytes: summary.snapshotBytes,
      byStatus: summary.byStatus,
      latestGzipBytes: files ? gzipped(files.latest) : 0,
      largestUnitGzipBytes: Math.max(0, ...(files?.units ?? []).map(gzipped)),
      ...(second
        ? { unchanged: { snapshotBytes: second.snapshotBytes, snapshotObjects: second.snapshotObjects } }
        : {}),
    };
  } finally {
    await Promise.all([dynamo.stop(), s3server.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
