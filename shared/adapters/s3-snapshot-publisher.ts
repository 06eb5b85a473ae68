import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SnapshotFiles, SnapshotPort } from '../domain/evaluation/ports.ts';
import { CLIENT_DEFAULTS, s3PathStyle } from './client-config.ts';
import { withRetry } from './dynamo-retry.ts';

const s3 = new S3Client({ ...CLIENT_DEFAULTS, forcePathStyle: s3PathStyle() });

const SHORT = 'public, max-age=60, must-revalidate';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The daily copy is overwritten by every run of its day, so caches keep it briefly. */
const DAILY = 'public, max-age=300';
const VIETNAM_OFFSET_MS = 7 * 3_600_000;
/** Tries of one object, each with the SDK's own retries inside. */
const PUT_ATTEMPTS = 5;

/** The Vietnam day (YYYY-MM-DD) an ISO time falls on. */
const vietnamDay = (iso: string): string =>
  new Date(Date.parse(iso) + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);

/** The path of a snapshot's generation: every file of one evaluation, immutable once written. */
export const generationPath = (generatedAt: string): string =>
  `snapshots/${generatedAt.replaceAll(':', '-')}/`;
/** Where an evaluation of the past goes: never `snapshots/latest.json` nor the current unit files. */
export const asOfPath = (asOf: string): string => `snapshots/as-of/${asOf.replaceAll(':', '-')}/`;

/**
 * Publishes a snapshot: the dated objects under `snapshots/<generatedAt>/` first (immutable), and the day's
 * copy `snapshots/daily/<day>/latest.json`; then the current per-unit files and CSV, and
 * `snapshots/latest.json` last, naming its generation so that readers take unit files from that generation
 * and never mix two. If anything before it fails, the previous latest stays as it was and the next run
 * publishes again from scratch.
 *
 * Dated and daily objects are history, read rarely and kept long, so they are stored gzipped with
 * `Content-Encoding: gzip` (they compress about 7×); browsers, fetch and CloudFront inflate them on the way.
 * The current files stay plain for readers that use the S3 API. The bucket's lifecycle keeps dated objects 30
 * days and the daily copies for the snapshot retention period, so history thins to one snapshot a day.
 */
export class S3SnapshotPublisher implements SnapshotPort {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = s3,
  ) {}

  async publish(files: SnapshotFiles): Promise<{ bytes: number; objects: number }> {
    return this.write(files, generationPath(files.latest.generatedAt), true);
  }

  async publishAsOf(files: SnapshotFiles): Promise<{ bytes: number; objects: number }> {
    return this.write(files, asOfPath(files.latest.asOf), false);
  }

  private async write(
    files: SnapshotFiles,
    generation: string,
    current: boolean,
  ): Promise<{ bytes: number; objects: number }> {
    const latestJson = JSON.stringify({ ...files.latest, generation });
    // A generation never changes; an as-of evaluation run again later may know more.
    const fixed = current ? IMMUTABLE : SHORT;
    const unitJson = files.units.map((unit) => [unit.unit.unitCode, JSON.stringify(unit)] as const);
    let bytes = 0;
    let objects = 0;
    const put = async (
      key: string,
      body: string,
      contentType: string,
      cacheControl: string,
    ): Promise<void> => {
      const compressed = cacheControl !== SHORT;
      const stored = compressed ? gzipSync(body) : body;
      const command = new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: stored,
        ContentType: contentType,
        CacheControl: cacheControl,
        ...(compressed ? { ContentEncoding: 'gzip' } : {}),
      });
      // One object that S3 throttles past the SDK's own retries must not fail the other 170: it waits longer.
      await withRetry(() => this.client.send(command), PUT_ATTEMPTS, 200);
      bytes += Buffer.byteLength(body);
      objects++;
    };
    const all = async (list: (() => Promise<void>)[]): Promise<void> => {
      for (let i = 0; i < list.length; i += 16)
        await Promise.all(list.slice(i, i + 16).map((task) => task()));
    };
    await all([
      ...unitJson.map(
        ([code, body]) =>
          () =>
            put(`${generation}units/${code}.json`, body, 'application/json', fixed),
      ),
      () => put(`${generation}units.csv`, files.csv, 'text/csv; charset=utf-8', fixed),
      () => put(`${generation}latest.json`, latestJson, 'application/json', fixed),
      ...(current
        ? [
            () =>
              put(
                `snapshots/daily/${vietnamDay(files.latest.asOf)}/latest.json`,
                latestJson,
                'application/json',
                DAILY,
              ),
          ]
        : []),
    ]);
    if (!current) return { bytes, objects };
    await all([
      ...unitJson.map(
        ([code, body]) =>
          () =>
            put(`snapshots/units/${code}.json`, body, 'application/json', SHORT),
      ),
      () => put('snapshots/units.csv', files.csv, 'text/csv; charset=utf-8', SHORT),
    ]);
    await put('snapshots/latest.json', latestJson, 'application/json', SHORT);
    return { bytes, objects };
  }
}
