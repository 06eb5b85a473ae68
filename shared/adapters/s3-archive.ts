import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArchivedMessage, ArchivePort } from '../domain/worker/dossier-batch.ts';
import { type DossierEventsMessage, type QueuedEvent, queuedEventSchema } from '../schemas/queue.ts';
import { CLIENT_DEFAULTS, s3PathStyle } from './client-config.ts';

const s3 = new S3Client({ ...CLIENT_DEFAULTS, forcePathStyle: s3PathStyle() });

/** An archive object's bytes: gzipped NDJSON, one event a line with its unit and acceptance time. */
export function archiveObject(messages: readonly DossierEventsMessage[]): Buffer {
  const lines = messages
    .flatMap((message) =>
      message.events.map((event) =>
        JSON.stringify({ unitCode: message.unitCode, acceptedAt: message.acceptedAt, event }),
      ),
    )
    .join('\n');
  return gzipSync(`${lines}\n`);
}

const vietnamDay = (millis: number): string => new Date(millis + 7 * 3_600_000).toISOString().slice(0, 10);

/**
 * The raw archive: one gzipped NDJSON object per unit and acceptance day (UTC+7) of each batch the worker
 * receives, one event a line, keyed by a hash of the batch's message bodies, so a redelivery of the same
 * batch overwrites the same object. Objects of one message each (how the archive was first written) have
 * the same layout under the same prefix, and are read the same way. Redelivered messages may land in a
 * second object; a rebuild folds every event into dossier state, where an event read twice changes nothing.
 */
export class S3Archive implements ArchivePort {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = s3,
  ) {}

  /** The key of one unit's messages of one day: a hash of their bodies, in sorted order. */
  static keyFor(messages: readonly ArchivedMessage[]): string {
    const [first] = messages;
    if (!first) throw new RangeError('an archive object needs at least one message');
    const hash = createHash('sha256')
      .update(
        messages
          .map((item) => item.body)
          .sort()
          .join('\n'),
      )
      .digest('hex')
      .slice(0, 32);
    return `raw/dossier-events/${first.message.unitCode}/${vietnamDay(first.message.acceptedAt)}/${hash}.ndjson.gz`;
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

  /** Messages of one unit: one object per acceptance day, written at once. */
  async putDossierEvents(messages: readonly ArchivedMessage[]): Promise<void> {
    const byDay = new Map<string, ArchivedMessage[]>();
    for (const item of messages) {
      const day = vietnamDay(item.message.acceptedAt);
      byDay.set(day, [...(byDay.get(day) ?? []), item]);
    }
    await Promise.all(
      [...byDay.values()].map((group) =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: S3Archive.keyFor(group),
            Body: archiveObject(group.map((item) => item.message)),
            ContentType: 'application/x-ndjson',
            ContentEncoding: 'gzip',
          }),
        ),
      ),
    );
  }
}
