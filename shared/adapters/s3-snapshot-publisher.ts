import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { SnapshotFiles, SnapshotPort } from '../domain/evaluation/ports.ts';
import type { UnitSnapshot } from '../schemas/snapshot.ts';
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
/** How many objects are written at once. */
const PARALLEL = 16;

/** What the publisher knows it has written; private (outside `snapshots/`, so never served). */
export const MANIFEST_KEY = 'state/snapshot-manifest.json';
/**
 * A unit file left unchanged in an older generation is written again into the new one once that generation is
 * this old, so that every file a snapshot names outlives the dated snapshots' expiry by a wide margin: the
 * bucket expires dated objects after 30 days, so a dated `latest.json` has all its unit files for 23 days.
 */
export const UNIT_FILE_REFRESH_DAYS = 7;

const manifestSchema = z.object({
  schemaVersion: z.literal(1),
  /** Per unit: the hash of its file's content and the generation whose immutable copy holds it. */
  generations: z.record(z.string(), z.object({ sha256: z.string(), generation: z.string() })),
  /** Per current key (`snapshots/units/H48.json`, `snapshots/units.csv`): the hash of what it holds. */
  current: z.record(z.string(), z.string()),
});
type Manifest = z.infer<typeof manifestSchema>;

const EMPTY: Manifest = { schemaVersion: 1, generations: {}, current: {} };

/** The Vietnam day (YYYY-MM-DD) an ISO time falls on. */
const vietnamDay = (iso: string): string =>
  new Date(Date.parse(iso) + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);

/** The path of a snapshot's generation: every file of one evaluation, immutable once written. */
export const generationPath = (generatedAt: string): string =>
  `snapshots/${generatedAt.replaceAll(':', '-')}/`;
/** Where an evaluation of the past goes: never `snapshots/latest.json` nor the current unit files. */
export const asOfPath = (asOf: string): string => `snapshots/as-of/${asOf.replaceAll(':', '-')}/`;

/** When a generation was written, from its path; NaN for a path this publisher did not make. */
const generationTime = (generation: string): number =>
  Date.parse(
    generation
      .replace(/^snapshots\//, '')
      .replace(/\/$/, '')
      .replace(/T(\d{2})-(\d{2})-(\d{2})/, 'T$1:$2:$3'),
  );

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * A unit file's content, for comparison: everything but `generatedAt`, which every run changes. A file whose
 * figures are unchanged is therefore not written again, and its `generatedAt` is the run that last changed it.
 */
export const unitContentHash = (unit: UnitSnapshot): string =>
  sha256(JSON.stringify({ ...unit, generatedAt: '' }));

/**
 * Publishes a snapshot: the dated objects under `snapshots/<generatedAt>/` first (immutable), and the day's
 * copy `snapshots/daily/<day>/latest.json`; then the current per-unit files and CSV, and
 * `snapshots/latest.json` last, naming its generation so that readers take unit files from that generation
 * and never mix two. If anything before it fails, the previous latest stays as it was.
 *
 * Only what changed is written. A unit file whose content equals the one an earlier generation holds is not
 * copied: `latest.json` names that generation for the unit in `unitGenerations`. A current file is written
 * only if its content differs from what the manifest says it holds. The manifest (`MANIFEST_KEY`) is read
 * from the bucket on every run, so a restart changes nothing, and it never claims more than was written:
 * current keys about to be overwritten are first dropped from it, and their new hashes are recorded only
 * once every write succeeded. A missing or unreadable manifest means everything is written.
 *
 * Dated and daily objects are history, read rarely and kept long, so they are stored gzipped with
 * `Content-Encoding: gzip` (they compress about 7×); browsers, fetch and CloudFront inflate them on the way.
 * The current files stay plain for readers that use the S3 API. The bucket's lifecycle keeps dated objects 30
 * days and the daily copies for the snapshot retention period, so history thins to one snapshot a day.
 *
 * `bytes` counts what is sent to S3, compressed where stored compressed, the manifest included.
 */
export class S3SnapshotPublisher implements SnapshotPort {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = s3,
  ) {}

  async publish(files: SnapshotFiles): Promise<{ bytes: number; objects: number }> {
    const writer = this.writer();
    const generation = generationPath(files.latest.generatedAt);
    const now = generationTime(generation);
    const known = await this.readManifest();
    const generations: Manifest['generations'] = {};
    const unitGenerations: Record<string, string> = {};
    const units = files.units.map((unit) => {
      const code = unit.unit.unitCode;
      const sha256 = unitContentHash(unit);
      const previous = known.generations[code];
      const age = previous ? now - generationTime(previous.generation) : Number.NaN;
      const reuse = previous?.sha256 === sha256 && age >= 0 && age < UNIT_FILE_REFRESH_DAYS * 86_400_000;
      generations[code] = reuse && previous ? previous : { sha256, generation };
      if (reuse && previous) unitGenerations[code] = previous.generation;
      return { code, sha256, reuse, body: JSON.stringify(unit) };
    });
    const latestJson = JSON.stringify({
      ...files.latest,
      generation,
      ...(Object.keys(unitGenerations).length > 0 ? { unitGenerations } : {}),
    });
    await writer.all([
      ...units
        .filter((unit) => !unit.reuse)
        .map(
          (unit) => () =>
            writer.put(`${generation}units/${unit.code}.json`, unit.body, 'application/json', IMMUTABLE),
        ),
      () => writer.put(`${generation}units.csv`, files.csv, 'text/csv; charset=utf-8', IMMUTABLE),
      () => writer.put(`${generation}latest.json`, latestJson, 'application/json', IMMUTABLE),
      () =>
        writer.put(
          `snapshots/daily/${vietnamDay(files.latest.asOf)}/latest.json`,
          latestJson,
          'application/json',
          DAILY,
        ),
    ]);
    const wanted = [
      ...units.map((unit) => ({
        key: `snapshots/units/${unit.code}.json`,
        sha256: unit.sha256,
        body: unit.body,
        contentType: 'application/json',
      })),
      {
        key: 'snapshots/units.csv',
        sha256: sha256(files.csv),
        body: files.csv,
        contentType: 'text/csv; charset=utf-8',
      },
    ];
    const changed = wanted.filter((file) => known.current[file.key] !== file.sha256);
    const current = { ...known.current };
    for (const file of changed) delete current[file.key];
    const unitsChanged = JSON.stringify(generations) !== JSON.stringify(known.generations);
    if (changed.length > 0 && changed.some((file) => file.key in known.current))
      await writer.put(
        MANIFEST_KEY,
        JSON.stringify({ schemaVersion: 1, generations, current }),
        'application/json',
      );
    await writer.all(changed.map((file) => () => writer.put(file.key, file.body, file.contentType, SHORT)));
    await writer.put('snapshots/latest.json', latestJson, 'application/json', SHORT);
    for (const file of changed) current[file.key] = file.sha256;
    if (changed.length > 0 || unitsChanged)
      await writer.put(
        MANIFEST_KEY,
        JSON.stringify({ schemaVersion: 1, generations, current }),
        'application/json',
      );
    return writer.totals();
  }

  /** An evaluation of the past: every file, under its own folder; an as-of run again later may know more. */
  async publishAsOf(files: SnapshotFiles): Promise<{ bytes: number; objects: number }> {
    const writer = this.writer();
    const generation = asOfPath(files.latest.asOf);
    const latestJson = JSON.stringify({ ...files.latest, generation });
    await writer.all([
      ...files.units.map(
        (unit) => () =>
          writer.put(
            `${generation}units/${unit.unit.unitCode}.json`,
            JSON.stringify(unit),
            'application/json',
            SHORT,
          ),
      ),
      () => writer.put(`${generation}units.csv`, files.csv, 'text/csv; charset=utf-8', SHORT),
      () => writer.put(`${generation}latest.json`, latestJson, 'application/json', SHORT),
    ]);
    return writer.totals();
  }

  private async readManifest(): Promise<Manifest> {
    try {
      const object = await withRetry(
        () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: MANIFEST_KEY })),
        PUT_ATTEMPTS,
        200,
      );
      const text = await object.Body?.transformToString('utf8');
      const parsed = manifestSchema.safeParse(JSON.parse(text ?? ''));
      return parsed.success ? parsed.data : EMPTY;
    } catch (error) {
      if (error instanceof SyntaxError) return EMPTY;
      if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey')) return EMPTY;
      throw error;
    }
  }

  private writer(): {
    put(key: string, body: string, contentType: string, cacheControl?: string): Promise<void>;
    all(list: (() => Promise<void>)[]): Promise<void>;
    totals(): { bytes: number; objects: number };
  } {
    let bytes = 0;
    let objects = 0;
    const put = async (
      key: string,
      body: string,
      contentType: string,
      cacheControl?: string,
    ): Promise<void> => {
      const compressed = cacheControl === IMMUTABLE || cacheControl === DAILY;
      const stored = compressed ? gzipSync(body) : Buffer.from(body);
      const command = new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: stored,
        ContentType: contentType,
        ...(cacheControl ? { CacheControl: cacheControl } : {}),
        ...(compressed ? { ContentEncoding: 'gzip' } : {}),
      });
      // One object that S3 throttles past the SDK's own retries must not fail the others: it waits longer.
      await withRetry(() => this.client.send(command), PUT_ATTEMPTS, 200);
      bytes += stored.length;
      objects++;
    };
    const all = async (list: (() => Promise<void>)[]): Promise<void> => {
      for (let i = 0; i < list.length; i += PARALLEL)
        await Promise.all(list.slice(i, i + PARALLEL).map((task) => task()));
    };
    return { put, all, totals: () => ({ bytes, objects }) };
  }
}
