import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArchivePort } from '../domain/worker/dossier-batch.ts';
import { type DossierEventsMessage, type QueuedEvent, queuedEventSchema } from '../schemas/queue.ts';
import { CLIENT_DEFAULTS, s3PathStyle } from './client-config.ts';

const s3 = new S3Client({ ...CLIENT_DEFAULTS, forcePathStyle: s3PathStyle() });

/** An archive object's bytes: gzipped NDJSON, one event a line with its unit and acceptance time. */
export function archiveObject(message: DossierEventsMessage): Buffer {
  const lines = message.events
    .map((event) => JSON.stringify({ unitCode: message.unitCode, acceptedAt: message.acceptedAt, event }))
    .join('\n');
  return gzipSync(`${lines}\n`);
}

/**
 * The raw archive: one gzipped NDJSON object per queued message, one event a line, keyed by the unit, the day
 * it was accepted (UTC+7) and a hash of the message, so every redelivery or redrive overwrites the same object.
 */
export class S3Archive implements ArchivePort {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = s3,
  ) {}

  static keyFor(message: DossierEventsMessage, body: string): string {
    const day = new Date(message.acceptedAt + 7 * 3_600_000).toISOString().slice(0, 10);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 32);
    return `raw/dossier-events/${message.unitCode}/${day}/${hash}.ndjson.gz`;
  }

  /** The unit's archive objects accepted on or after `fromDay`, in key order (day, then hash). */
  async *listUnit(unitCode: string, fromDay: string): AsyncGenerator<string> {
    const prefix = `raw/dossier-events/${unitCode}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          StartAfter: `${prefix}${fromDay}`,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async readEvents(key: string): Promise<QueuedEvent[]> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    // Stored gzipped; a client that honours Content-Encoding may already have inflated it.
    const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
    return text
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => queuedEventSchema.parse((JSON.parse(line) as { event: unknown }).event));
  }

  async putDossierEvents(message: DossierEventsMessage, body: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: S3Archive.keyFor(message, body),
        Body: archiveObject(message),
        ContentType: 'application/x-ndjson',
        ContentEncoding: 'gzip',
      }),
    );
  }
}
