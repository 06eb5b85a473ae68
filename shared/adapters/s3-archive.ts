import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { CompactionArchivePort } from '../app/compact-archive.ts';
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

const PREFIX = 'raw/dossier-events/';
/** One archive line as read back: only the event is used. */
const archiveLineSchema = z.object({ event: queuedEventSchema });
/** A compacted day object: `day-` and a hash of its content, where a worker batch's name is its hash alone. */
const COMPACTED = /\/day-[0-9a-f]{32}\.ndjson\.gz$/;
/** DeleteObjects takes at most this many keys a call. */
const DELETE_BATCH = 1000;

const vietnamDay = (millis: number): string => new Date(millis + 7 * 3_600_000).toISOString().slice(0, 10);

/**
 * The raw archive: one gzipped NDJSON object per unit and acceptance day (UTC+7) of each batch the worker
 * receives, one event a line, keyed by a hash of the batch's message bodies, so a redelivery of the same
 * batch overwrites the same object. Objects of one message each (how the archive was first written) have
 * the same layout under the same prefix, and are read the same way. Redelivered messages may land in a
 * second object; a rebuild folds every event into dossier state, where an event read twice changes nothing.
 * Compaction (`shared/app/compact-archive.ts`) later merges a closed day's objects of a unit into one
 * `day-<hash>.ndjson.gz` object of the same layout, in the same folder, which every reader reads alike.
 */
export class S3Archive implements ArchivePort, CompactionArchivePort {
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

  /** The object's events; `undefined` when it is gone since it was listed (compaction merged it). */
  async readEvents(key: string): Promise<QueuedEvent[] | undefined> {
    const lines = await this.readLines(key);
    return lines?.map((line, index) => {
      const parsed = archiveLineSchema.safeParse(JSON.parse(line));
      if (!parsed.success)
        throw new Error(`${key}: line ${index + 1} is not an archived event: ${parsed.error.message}`);
      return parsed.data.event;
    });
  }

  async readLines(key: string): Promise<string[] | undefined> {
    let bytes: Buffer;
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: unknown }).name === 'NoSuchKey') return undefined;
      throw error;
    }
    // Stored gzipped; a client that honours Content-Encoding may already have inflated it.
    const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
    return text.split('\n').filter((line) => line.trim());
  }

  /**
   * Units with any archive object: the folders under `raw/dossier-events/`, found one listed key per unit by
   * starting each listing after the last unit's folder (`<unit>0` sorts right after every `<unit>/…` key).
   * That costs one request per unit, like a delimiter listing's pages would, and works on s3rver, whose
   * delimiter listing misses folders nested deeper than one level.
   */
  async listUnits(): Promise<string[]> {
    const units: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: PREFIX, StartAfter: after, MaxKeys: 1 }),
      );
      const unit = page.Contents?.[0]?.Key?.slice(PREFIX.length).split('/')[0];
      if (!unit) return units;
      units.push(unit);
      after = `${PREFIX}${unit}0`;
    }
  }

  async listDay(unitCode: string, day: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${PREFIX}${unitCode}/${day}/`,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  isCompacted(key: string): boolean {
    return COMPACTED.test(key);
  }

  /** One unit-day's lines as one object, named by a hash of them: the same lines always give the same key. */
  async putDay(unitCode: string, day: string, lines: readonly string[]): Promise<string> {
    const text = `${lines.join('\n')}\n`;
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
    const key = `${PREFIX}${unitCode}/${day}/day-${hash}.ndjson.gz`;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: gzipSync(text),
        ContentType: 'application/x-ndjson',
        ContentEncoding: 'gzip',
      }),
    );
    return key;
  }

  /** Deletes the keys, a thousand a call; any key S3 reports as not deleted fails the call. */
  async remove(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const chunk = keys.slice(start, start + DELETE_BATCH);
      const result = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const [first, ...others] = result.Errors ?? [];
      if (first) {
        throw new Error(
          `${others.length + 1} archive objects were not deleted, first ${first.Key}: ${first.Code} ${first.Message}`,
        );
      }
    }
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
