import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArchivePort } from '../domain/worker/dossier-batch.ts';
import type { DossierEventsMessage } from '../schemas/queue.ts';

const s3 = new S3Client({ forcePathStyle: process.env.EMC_S3_PATH_STYLE === 'true' });

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

  async putDossierEvents(message: DossierEventsMessage, body: string): Promise<void> {
    const lines = message.events
      .map((event) => JSON.stringify({ unitCode: message.unitCode, acceptedAt: message.acceptedAt, event }))
      .join('\n');
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: S3Archive.keyFor(message, body),
        Body: gzipSync(`${lines}\n`),
        ContentType: 'application/x-ndjson',
        ContentEncoding: 'gzip',
      }),
    );
  }
}
