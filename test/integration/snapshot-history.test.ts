import { gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoEvaluationReader } from '../../shared/adapters/dynamo-evaluation-reader.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { DynamoStatusStore } from '../../shared/adapters/dynamo-status-store.ts';
import { S3SnapshotPublisher } from '../../shared/adapters/s3-snapshot-publisher.ts';
import { LocalAlertPublisher } from '../../shared/adapters/sns-alert-publisher.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { evaluate } from '../../shared/domain/evaluation/evaluate.ts';
import { latestSnapshotSchema } from '../../shared/schemas/snapshot.ts';
import { type LocalAws, startLocalAws } from '../helpers/local-aws.ts';

const config = loadSettings({});
/** 23:59:59.999 on 30 November in Hà Nội, and one millisecond later, 1 December. */
const LAST_MS_OF_NOVEMBER = Date.parse('2026-11-30T16:59:59.999Z');
let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

async function run(at: number, bucket: string): Promise<void> {
  const { names, doc } = await aws.tables();
  const registry = new DynamoRegistry(names.state, doc);
  await registry.putUnit({ unitCode: 'H48', name: 'Tỉnh H48', kind: 'province', systems: ['core'] });
  await evaluate({
    config,
    registry,
    reader: new DynamoEvaluationReader(names.state, new DynamoDossierStore(names.state, doc), doc),
    statuses: new DynamoStatusStore(names.state, doc),
    alerts: new LocalAlertPublisher(aws.s3, bucket, () => undefined),
    snapshots: new S3SnapshotPublisher(bucket, aws.s3),
    at,
    now: at,
  });
}

async function read(key: string): Promise<{ encoding?: string; cache?: string; bytes: Buffer }> {
  const object = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
  return {
    encoding: object.ContentEncoding,
    cache: object.CacheControl,
    bytes: Buffer.from((await object.Body?.transformToByteArray()) ?? []),
  };
}

describe('snapshot history in S3', () => {
  it('stores dated snapshots gzipped with Content-Encoding, and the current ones plain', async () => {
    await run(LAST_MS_OF_NOVEMBER, aws.bucket);
    const dated = await read('snapshots/2026-11-30T16-59-59.999Z/latest.json');
    expect(dated.encoding).toBe('gzip');
    expect(dated.cache).toBe('public, max-age=31536000, immutable');
    const snapshot = latestSnapshotSchema.parse(JSON.parse(gunzipSync(dated.bytes).toString('utf8')));
    expect(snapshot.generatedAt).toBe('2026-11-30T16:59:59.999Z');
    const unitFile = await read('snapshots/2026-11-30T16-59-59.999Z/units/H48.json');
    expect(unitFile.encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(unitFile.bytes).toString('utf8'))).toMatchObject({
      unit: { unitCode: 'H48' },
    });

    const current = await read('snapshots/latest.json');
    expect(current.encoding).toBeUndefined();
    expect(latestSnapshotSchema.parse(JSON.parse(current.bytes.toString('utf8'))).generatedAt).toBe(
      snapshot.generatedAt,
    );
  });

  it('keeps one daily copy per Vietnam day: the last millisecond of 30 November and the first of 1 December', async () => {
    await run(LAST_MS_OF_NOVEMBER, aws.bucket);
    await run(LAST_MS_OF_NOVEMBER + 1, aws.bucket);
    const november = await read('snapshots/daily/2026-11-30/latest.json');
    const december = await read('snapshots/daily/2026-12-01/latest.json');
    expect(november.encoding).toBe('gzip');
    const day = (bytes: Buffer) => latestSnapshotSchema.parse(JSON.parse(gunzipSync(bytes).toString('utf8')));
    expect(day(november.bytes).generatedAt).toBe('2026-11-30T16:59:59.999Z');
    expect(day(december.bytes).generatedAt).toBe('2026-11-30T17:00:00.000Z');
  });
});
