import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoEvaluationReader } from '../../shared/adapters/dynamo-evaluation-reader.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { DynamoStatusStore } from '../../shared/adapters/dynamo-status-store.ts';
import { S3SnapshotPublisher } from '../../shared/adapters/s3-snapshot-publisher.ts';
import { LocalAlertPublisher } from '../../shared/adapters/sns-alert-publisher.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { evaluate } from '../../shared/domain/evaluation/evaluate.ts';
import { latestSnapshotSchema, unitSnapshotSchema } from '../../shared/schemas/snapshot.ts';
import { type LocalAws, startLocalAws } from '../helpers/local-aws.ts';

const config = loadSettings({});
const AT = Date.parse('2026-11-23T03:00:00Z');
const UNITS = ['H01', 'H02', 'H48'];
let aws: LocalAws;
let s3: S3Client;
const written: string[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
  s3 = aws.newS3();
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string };
      if (context.commandName === 'PutObjectCommand' && input.Key) written.push(input.Key);
      return next(args);
    },
    { step: 'initialize', name: 'recordPuts' },
  );
});
afterAll(async () => {
  await aws?.stop();
});

async function text(bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  return (object.ContentEncoding === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
}

describe('an evaluation writes only the snapshot objects whose content changed', () => {
  it('writes no unit file when nothing changed, and exactly the changed unit file after a change', async () => {
    const bucket = 'snapshot-writes';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { names, doc } = await aws.tables();
    const registry = new DynamoRegistry(names.state, doc);
    for (const unitCode of UNITS)
      await registry.putUnit({ unitCode, name: `Tỉnh ${unitCode}`, kind: 'province', systems: ['core'] });
    const publisher = new S3SnapshotPublisher(bucket, s3);
    const run = async (at: number) => {
      written.length = 0;
      const summary = await evaluate({
        config,
        registry,
        reader: new DynamoEvaluationReader(names.state, new DynamoDossierStore(names.state, doc), doc),
        statuses: new DynamoStatusStore(names.state, doc),
        alerts: new LocalAlertPublisher(s3, bucket, () => undefined),
        snapshots: publisher,
        at,
        now: at,
      });
      return { summary, keys: written.filter((key) => key.startsWith('snapshots/')).sort() };
    };

    const first = await run(AT);
    expect(first.keys.filter((key) => key.includes('/units/'))).toHaveLength(2 * UNITS.length);

    const unchanged = await run(AT + 15 * 60_000);
    expect(unchanged.keys.filter((key) => key.includes('/units/'))).toEqual([]);
    expect(unchanged.keys).not.toContain('snapshots/units.csv');
    expect(unchanged.summary.snapshotBytes).toBeLessThan(first.summary.snapshotBytes / 2);
    const latest = latestSnapshotSchema.parse(JSON.parse(await text(bucket, 'snapshots/latest.json')));
    expect(latest.generation).toBe('snapshots/2026-11-23T03-15-00.000Z/');
    for (const unitCode of UNITS) {
      expect(latest.unitGenerations?.[unitCode]).toBe('snapshots/2026-11-23T03-00-00.000Z/');
      const stored = await text(bucket, `${latest.unitGenerations?.[unitCode]}units/${unitCode}.json`);
      expect(unitSnapshotSchema.parse(JSON.parse(stored)).unit.unitCode).toBe(unitCode);
    }

    await registry.putUnit({ unitCode: 'H48', name: 'Tỉnh Khánh Hòa', kind: 'province', systems: ['core'] });
    const changed = await run(AT + 30 * 60_000);
    expect(changed.keys.filter((key) => key.includes('/units/'))).toEqual([
      'snapshots/2026-11-23T03-30-00.000Z/units/H48.json',
      'snapshots/units/H48.json',
    ]);
    expect(changed.keys).toContain('snapshots/units.csv');
    const unit = unitSnapshotSchema.parse(JSON.parse(await text(bucket, 'snapshots/units/H48.json')));
    expect(unit.unit.name).toBe('Tỉnh Khánh Hòa');
  });
});
