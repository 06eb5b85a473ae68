import { gunzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MANIFEST_KEY,
  S3SnapshotPublisher,
  UNIT_FILE_REFRESH_DAYS,
} from '../../../shared/adapters/s3-snapshot-publisher.ts';
import type { SnapshotFiles } from '../../../shared/domain/evaluation/ports.ts';
import { latestSnapshotSchema } from '../../../shared/schemas/snapshot.ts';
import { snapshotFixture } from '../../helpers/snapshot-fixture.ts';

const client = new S3Client({ region: 'ap-southeast-1', maxAttempts: 1 });
const s3 = mockClient(client);

const fault = (name: string, status: number): S3ServiceException =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

function files(generatedAt = '2026-11-23T03:00:00.000Z'): SnapshotFiles {
  const fixture = snapshotFixture();
  const units = fixture.latest.units
    .slice(0, 3)
    .map((row) => ({ ...fixture.unit(row.unitCode), generatedAt }));
  return {
    latest: { ...fixture.latest, generatedAt, asOf: generatedAt, units: fixture.latest.units.slice(0, 3) },
    units,
    csv: 'unitCode\n',
  };
}

const keysWritten = (): string[] =>
  s3.commandCalls(PutObjectCommand).map((call) => String(call.args[0].input.Key));

/** A bucket in memory behind the mock: what was put can be got back, as the publisher's next run does. */
function bucket(): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  bucketFrom(objects);
  return objects;
}

const readLatest = (objects: Map<string, Buffer>) =>
  latestSnapshotSchema.parse(JSON.parse(String(objects.get('snapshots/latest.json'))));

describe('the snapshot publisher', () => {
  beforeEach(() => s3.reset());

  it('writes an object S3 throttles again, after a pause, and publishes the rest', async () => {
    const latest = 'snapshots/latest.json';
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'none', $metadata: {} }));
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: latest })
      .rejectsOnce(fault('SlowDown', 503))
      .rejectsOnce(fault('SlowDown', 503))
      .resolves({});
    const published = await new S3SnapshotPublisher('b', client).publish(files());
    expect(keysWritten().filter((key) => key === latest)).toHaveLength(3);
    expect(published.objects).toBe(new Set(keysWritten()).size);
  });

  it('gives up on an object after five tries, before latest.json, so the previous one stays', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'none', $metadata: {} }));
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: 'snapshots/units.csv' }).rejects(fault('SlowDown', 503));
    await expect(new S3SnapshotPublisher('b', client).publish(files())).rejects.toThrow();
    expect(keysWritten().filter((key) => key === 'snapshots/units.csv')).toHaveLength(5);
    expect(keysWritten()).not.toContain('snapshots/latest.json');
  });

  it('does not try again what S3 refuses for good', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'none', $metadata: {} }));
    s3.on(PutObjectCommand).rejects(fault('AccessDenied', 403));
    await expect(new S3SnapshotPublisher('b', client).publish(files())).rejects.toThrow();
    const tries = keysWritten();
    expect(tries.length).toBe(new Set(tries).size);
    expect(tries).not.toContain('snapshots/latest.json');
  });

  it('stores dated and daily objects gzipped with Content-Encoding, and the current files plain', async () => {
    const objects = bucket();
    await new S3SnapshotPublisher('b', client).publish(files());
    const encoding = new Map(
      s3
        .commandCalls(PutObjectCommand)
        .map((call) => [call.args[0].input.Key, call.args[0].input.ContentEncoding]),
    );
    const dated = 'snapshots/2026-11-23T03-00-00.000Z/latest.json';
    expect(encoding.get(dated)).toBe('gzip');
    expect(encoding.get('snapshots/daily/2026-11-23/latest.json')).toBe('gzip');
    expect(encoding.get('snapshots/latest.json')).toBeUndefined();
    expect(JSON.parse(gunzipSync(objects.get(dated) ?? Buffer.alloc(0)).toString())).toEqual(
      JSON.parse(String(objects.get('snapshots/latest.json'))),
    );
  });

  it('writes no unit file again when nothing changed, and names the generation that holds each', async () => {
    const objects = bucket();
    const publisher = new S3SnapshotPublisher('b', client);
    await publisher.publish(files('2026-11-23T03:00:00.000Z'));
    s3.resetHistory();
    await publisher.publish(files('2026-11-23T03:15:00.000Z'));
    const written = keysWritten();
    expect(written.filter((key) => key.includes('/units/'))).toEqual([]);
    expect(written).not.toContain('snapshots/units.csv');
    expect(written).not.toContain(MANIFEST_KEY);
    const latest = readLatest(objects);
    expect(latest.generation).toBe('snapshots/2026-11-23T03-15-00.000Z/');
    for (const row of latest.units)
      expect(objects.has(`${latest.unitGenerations?.[row.unitCode]}units/${row.unitCode}.json`)).toBe(true);
  });

  it('writes exactly the unit file whose content changed, in the new generation and the current file', async () => {
    const objects = bucket();
    const publisher = new S3SnapshotPublisher('b', client);
    await publisher.publish(files('2026-11-23T03:00:00.000Z'));
    s3.resetHistory();
    const next = files('2026-11-23T03:15:00.000Z');
    const [first] = next.units;
    if (!first) throw new Error('fixture has no unit');
    first.history = [
      ...first.history,
      { status: 'interrupted', since: '2026-11-23T03:10:00.000Z', reasons: [] },
    ];
    const code = first.unit.unitCode;
    await publisher.publish(next);
    expect(
      keysWritten()
        .filter((key) => key.includes('/units/'))
        .sort(),
    ).toEqual([`snapshots/2026-11-23T03-15-00.000Z/units/${code}.json`, `snapshots/units/${code}.json`]);
    expect(JSON.parse(String(objects.get(`snapshots/units/${code}.json`))).history).toHaveLength(
      first.history.length,
    );
    expect(readLatest(objects).unitGenerations?.[code]).toBeUndefined();
  });

  it('writes everything again when the manifest is gone, as after a bucket restore', async () => {
    const objects = bucket();
    const publisher = new S3SnapshotPublisher('b', client);
    await publisher.publish(files('2026-11-23T03:00:00.000Z'));
    objects.delete(MANIFEST_KEY);
    s3.resetHistory();
    await publisher.publish(files('2026-11-23T03:15:00.000Z'));
    expect(keysWritten().filter((key) => key.startsWith('snapshots/units/'))).toHaveLength(3);
    expect(readLatest(objects).unitGenerations).toBeUndefined();
  });

  it('rewrites a current file whose write failed before the manifest recorded it, even if its content goes back', async () => {
    const objects = bucket();
    const publisher = new S3SnapshotPublisher('b', client);
    const before = files('2026-11-23T03:00:00.000Z');
    await publisher.publish(before);
    const changed = files('2026-11-23T03:15:00.000Z');
    const [first] = changed.units;
    if (!first) throw new Error('fixture has no unit');
    first.history = [];
    const code = first.unit.unitCode;
    s3.on(PutObjectCommand, { Key: 'snapshots/latest.json' }).rejects(fault('AccessDenied', 403));
    await expect(publisher.publish(changed)).rejects.toThrow();
    expect(JSON.parse(String(objects.get(`snapshots/units/${code}.json`))).history).toEqual([]);
    s3.reset();
    bucketFrom(objects);
    await publisher.publish(files('2026-11-23T03:30:00.000Z'));
    expect(JSON.parse(String(objects.get(`snapshots/units/${code}.json`))).history).toEqual(
      before.units[0]?.history,
    );
  });

  it(`copies an unchanged unit file into the new generation once its own is ${UNIT_FILE_REFRESH_DAYS} days old`, async () => {
    const objects = bucket();
    const publisher = new S3SnapshotPublisher('b', client);
    await publisher.publish(files('2026-11-16T03:00:00.000Z'));
    s3.resetHistory();
    await publisher.publish(files('2026-11-23T02:59:59.999Z'));
    expect(keysWritten().filter((key) => key.includes('/units/'))).toEqual([]);
    s3.resetHistory();
    await publisher.publish(files('2026-11-23T03:00:00.000Z'));
    expect(
      keysWritten().filter((key) => key.startsWith('snapshots/2026-11-23T03-00-00.000Z/units/')),
    ).toHaveLength(3);
    expect(keysWritten().filter((key) => key.startsWith('snapshots/units/'))).toEqual([]);
    expect(readLatest(objects).unitGenerations).toBeUndefined();
  });
});

/** The in-memory bucket again after a reset, over the same objects. */
function bucketFrom(objects: Map<string, Buffer>): void {
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: Buffer }) => {
    objects.set(input.Key, Buffer.from(input.Body));
    return {};
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const bytes = objects.get(input.Key);
    if (!bytes) throw new NoSuchKey({ message: 'no such key', $metadata: {} });
    const body = { transformToString: async () => bytes.toString('utf8') };
    return { Body: body as unknown as GetObjectCommandOutput['Body'] };
  });
}
