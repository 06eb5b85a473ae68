import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
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
