import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3Archive } from '../../../shared/adapters/s3-archive.ts';
import { loadSettings } from '../../../shared/config/settings.ts';
import { processDossierEventBatch } from '../../../shared/domain/worker/dossier-batch.ts';
import { countOptions } from '../../../shared/domain/worker/options.ts';
import type { DossierEventsMessage } from '../../../shared/schemas/queue.ts';
import { generateStream, toMessages } from '../../helpers/dossier-streams.ts';
import { MemoryDossierStore, MemorySetAside } from '../../helpers/memory-dossier-store.ts';

const client = new S3Client({ region: 'ap-southeast-1', maxAttempts: 1 });
const s3 = mockClient(client);

/** 23:59:59.999 on 30 November in Hà Nội, and one millisecond later, 1 December. */
const LAST_MS_OF_NOVEMBER = Date.parse('2026-11-30T16:59:59.999Z');

function messagesOf(unitCode: string, acceptedAt: number): DossierEventsMessage[] {
  const events = generateStream(4, { dossiers: 6, units: [unitCode] });
  return toMessages(events, 5).map((message) => ({ ...message, acceptedAt }));
}
const item = (message: DossierEventsMessage) => ({ message, body: JSON.stringify(message) });
const puts = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);

describe('the raw archive', () => {
  beforeEach(() => {
    s3.reset();
    s3.on(PutObjectCommand).resolves({});
  });

  it('writes a unit’s messages of one day as one gzipped object holding every event', async () => {
    const messages = messagesOf('H31', LAST_MS_OF_NOVEMBER);
    await new S3Archive('b', client).putDossierEvents(messages.map(item));
    const [put, ...others] = puts();
    expect(others).toEqual([]);
    expect(put?.Key).toMatch(/^raw\/dossier-events\/H31\/2026-11-30\/[0-9a-f]{32}\.ndjson\.gz$/);
    expect(put?.ContentEncoding).toBe('gzip');
    const lines = gunzipSync(put?.Body as Buffer)
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: { eventId: string } });
    expect(lines.map((line) => line.event.eventId)).toEqual(
      messages.flatMap((message) => message.events.map((event) => event.eventId)),
    );
  });

  it('splits at Vietnam midnight: the last millisecond of November and the first of December', async () => {
    const november = messagesOf('H31', LAST_MS_OF_NOVEMBER).slice(0, 1);
    const december = messagesOf('H31', LAST_MS_OF_NOVEMBER + 1).slice(0, 1);
    await new S3Archive('b', client).putDossierEvents([...november, ...december].map(item));
    expect(
      puts()
        .map((put) => put.Key?.split('/')[3])
        .sort(),
    ).toEqual(['2026-11-30', '2026-12-01']);
  });

  it('names the same batch the same in any order, and a single message as the first archive did', () => {
    const messages = messagesOf('H31', LAST_MS_OF_NOVEMBER).map(item);
    expect(S3Archive.keyFor(messages)).toBe(S3Archive.keyFor([...messages].reverse()));
    const [one] = messages;
    if (!one) throw new Error('no message');
    const hash = createHash('sha256').update(one.body).digest('hex').slice(0, 32);
    expect(S3Archive.keyFor([one])).toBe(`raw/dossier-events/H31/2026-11-30/${hash}.ndjson.gz`);
  });

  it('fails only the messages of the unit whose archive write failed', async () => {
    const h31 = messagesOf('H31', LAST_MS_OF_NOVEMBER);
    const h48 = messagesOf('H48', LAST_MS_OF_NOVEMBER);
    s3.on(PutObjectCommand, { Key: S3Archive.keyFor(h48.map(item)) }).rejects(
      new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } }),
    );
    const records = [...h31, ...h48].map((message, index) => ({
      messageId: `m${index}`,
      body: JSON.stringify(message),
      receiveCount: 1,
    }));
    const failed: string[] = [];
    const outcome = await processDossierEventBatch(records, {
      archive: new S3Archive('b', client),
      store: new MemoryDossierStore(),
      setAside: new MemorySetAside(),
      options: countOptions(loadSettings({})),
      onPoison: () => undefined,
      onFailure: (messageId) => failed.push(messageId),
      clock: () => LAST_MS_OF_NOVEMBER,
    });
    const h48Ids = h48.map((_, index) => `m${h31.length + index}`);
    expect(outcome.failed.sort()).toEqual(h48Ids.sort());
    expect(failed.sort()).toEqual(h48Ids.sort());
  });
});

/** A GetObject body as the SDK hands it over: only the reader the archive uses. */
const body = (bytes: Buffer) =>
  ({ transformToByteArray: async () => new Uint8Array(bytes) }) as unknown as GetObjectCommandOutput['Body'];

describe('the raw archive as compaction reads and writes it', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('lists the units one key each, each listing starting right after the last unit’s folder', async () => {
    s3.on(ListObjectsV2Command, { StartAfter: undefined }).resolves({
      Contents: [{ Key: 'raw/dossier-events/G01/2026-11-30/a.ndjson.gz' }],
    });
    s3.on(ListObjectsV2Command, { StartAfter: 'raw/dossier-events/G010' }).resolves({
      Contents: [{ Key: 'raw/dossier-events/H48/2026-12-01/b.ndjson.gz' }],
    });
    s3.on(ListObjectsV2Command, { StartAfter: 'raw/dossier-events/H480' }).resolves({ Contents: [] });

    expect(await new S3Archive('b', client).listUnits()).toEqual(['G01', 'H48']);
    const inputs = s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
    expect(inputs.map((input) => [input.Prefix, input.MaxKeys])).toEqual([
      ['raw/dossier-events/', 1],
      ['raw/dossier-events/', 1],
      ['raw/dossier-events/', 1],
    ]);
  });

  it('lists one unit-day under its own folder, over every page', async () => {
    const prefix = 'raw/dossier-events/H31/2026-11-30/';
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [{ Key: `${prefix}a.ndjson.gz` }],
      IsTruncated: true,
      NextContinuationToken: 't1',
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't1' }).resolves({
      Contents: [{ Key: `${prefix}b.ndjson.gz` }],
      IsTruncated: false,
    });

    expect(await new S3Archive('b', client).listDay('H31', '2026-11-30')).toEqual([
      `${prefix}a.ndjson.gz`,
      `${prefix}b.ndjson.gz`,
    ]);
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Prefix)).toEqual([
      prefix,
      prefix,
    ]);
  });

  it('writes a day object gzipped under a key made from its lines, and tells it from a batch', async () => {
    s3.on(PutObjectCommand).resolves({});
    const archive = new S3Archive('b', client);
    const lines = ['{"a":1}', '{"a":2}'];

    const key = await archive.putDay('H31', '2026-11-30', lines);
    const again = await archive.putDay('H31', '2026-11-30', [...lines]);
    const other = await archive.putDay('H31', '2026-11-30', ['{"a":1}']);

    expect(key).toMatch(/^raw\/dossier-events\/H31\/2026-11-30\/day-[0-9a-f]{32}\.ndjson\.gz$/);
    expect(again).toBe(key);
    expect(other).not.toBe(key);
    const [put] = puts();
    expect(put?.ContentEncoding).toBe('gzip');
    expect(gunzipSync(put?.Body as Buffer).toString()).toBe('{"a":1}\n{"a":2}\n');
    expect(archive.isCompacted(key)).toBe(true);
    expect(archive.isCompacted(S3Archive.keyFor(messagesOf('H31', LAST_MS_OF_NOVEMBER).map(item)))).toBe(
      false,
    );
  });

  it('reads an object’s lines, and answers nothing for an object gone since it was listed', async () => {
    s3.on(GetObjectCommand, { Key: 'here' }).resolves({ Body: body(gzipSync('{"a":1}\n\n{"a":2}\n')) });
    s3.on(GetObjectCommand, { Key: 'gone' }).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    s3.on(GetObjectCommand, { Key: 'slow' }).rejects(
      new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } }),
    );
    const archive = new S3Archive('b', client);

    expect(await archive.readLines('here')).toEqual(['{"a":1}', '{"a":2}']);
    expect(await archive.readLines('gone')).toBeUndefined();
    expect(await archive.readEvents('gone')).toBeUndefined();
    await expect(archive.readLines('slow')).rejects.toMatchObject({ name: 'SlowDown' });
  });

  it('deletes a thousand keys a call, and fails when S3 reports a key it did not delete', async () => {
    s3.on(DeleteObjectsCommand).resolves({});
    const keys = Array.from({ length: 2001 }, (_, index) => `k${index}`);

    await new S3Archive('b', client).remove(keys);

    const calls = s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects);
    expect(calls.map((objects) => objects?.length)).toEqual([1000, 1000, 1]);
    expect(calls.flat().map((object) => object?.Key)).toEqual(keys);

    s3.reset();
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'k1', Code: 'AccessDenied', Message: 'no' }] });
    await expect(new S3Archive('b', client).remove(['k1'])).rejects.toThrow(/k1: AccessDenied/);
  });
});
