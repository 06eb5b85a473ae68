import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3SnapshotPublisher } from '../../../shared/adapters/s3-snapshot-publisher.ts';
import { snapshotFixture } from '../../helpers/snapshot-fixture.ts';

const client = new S3Client({ region: 'ap-southeast-1', maxAttempts: 1 });
const s3 = mockClient(client);

const fault = (name: string, status: number): S3ServiceException =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

function files() {
  const fixture = snapshotFixture();
  const units = fixture.latest.units.slice(0, 3).map((row) => fixture.unit(row.unitCode));
  return { latest: { ...fixture.latest, units: fixture.latest.units.slice(0, 3) }, units, csv: 'unitCode\n' };
}

const keysWritten = (): string[] =>
  s3.commandCalls(PutObjectCommand).map((call) => String(call.args[0].input.Key));

describe('the snapshot publisher', () => {
  beforeEach(() => s3.reset());

  it('writes an object S3 throttles again, after a pause, and publishes the rest', async () => {
    const latest = 'snapshots/latest.json';
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
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: 'snapshots/units.csv' }).rejects(fault('SlowDown', 503));
    await expect(new S3SnapshotPublisher('b', client).publish(files())).rejects.toThrow();
    expect(keysWritten().filter((key) => key === 'snapshots/units.csv')).toHaveLength(5);
    expect(keysWritten()).not.toContain('snapshots/latest.json');
  });

  it('does not try again what S3 refuses for good', async () => {
    s3.on(PutObjectCommand).rejects(fault('AccessDenied', 403));
    await expect(new S3SnapshotPublisher('b', client).publish(files())).rejects.toThrow();
    const tries = keysWritten();
    expect(tries.length).toBe(new Set(tries).size);
    expect(tries).not.toContain('snapshots/latest.json');
  });
});
