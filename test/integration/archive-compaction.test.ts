import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startS3 } from '../../local/servers.ts';
import { S3Archive } from '../../shared/adapters/s3-archive.ts';
import { compactArchive } from '../../shared/app/compact-archive.ts';
import { rebuild } from '../../shared/app/rebuild.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { type DossierEventsMessage, queuedEventSchema } from '../../shared/schemas/queue.ts';
import { InMemoryCheckpoints, InMemoryRebuildStore } from '../fakes/rebuild.ts';
import { generateStream, toMessages } from '../helpers/dossier-streams.ts';
import { credentials, region } from '../helpers/local-aws.ts';

const BUCKET = 'emc-compaction';
/** 23:59:59.999 on 31 December 2026 in Hà Nội. */
const LAST_MS_OF_2026 = Date.parse('2026-12-31T16:59:59.999Z');
/** 08:00 on 2 January 2027 in Hà Nội: 31 December and 1 January are closed. */
const NOW = Date.parse('2027-01-02T01:00:00Z');

let server: RunningServer;
let dir: string;
let s3: S3Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emc-compaction-'));
  server = await startS3({ directory: dir, buckets: [BUCKET] });
  s3 = new S3Client({
    endpoint: server.endpoint,
    region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const item = (message: DossierEventsMessage) => ({ message, body: JSON.stringify(message) });

/** Every event the archive holds for the units, one entry per line read (duplicates kept), sorted. */
async function eventsOf(archive: S3Archive, units: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const unitCode of units) {
    for await (const key of archive.listUnit(unitCode, '')) {
      for (const event of (await archive.readEvents(key)) ?? []) found.push(JSON.stringify(event));
    }
  }
  return found.sort();
}

describe('compacting the raw archive on s3rver', () => {
  it('keeps every archived event once, across a year end, and a rebuild finds the same dossiers', async () => {
    const archive = new S3Archive(BUCKET, s3);
    const units = ['H31', 'H48'];
    const events = generateStream(21, { dossiers: 40, units });
    // Batches accepted at the last millisecond of 2026 and the first of 2027, in Vietnam, as the worker
    // receives them: a hundred messages of three events, then a redelivery of some in a different batch.
    const messages = toMessages(events, 3).map((message, index) => ({
      ...message,
      acceptedAt: index % 2 === 0 ? LAST_MS_OF_2026 : LAST_MS_OF_2026 + 1,
    }));
    for (let start = 0; start < messages.length; start += 4) {
      for (const unitCode of units) {
        const batch = messages.slice(start, start + 4).filter((message) => message.unitCode === unitCode);
        if (batch.length > 0) await archive.putDossierEvents(batch.map(item));
      }
    }
    const redelivered = messages.filter((_, index) => index % 5 === 0);
    for (const unitCode of units) {
      await archive.putDossierEvents(
        redelivered.filter((message) => message.unitCode === unitCode).map(item),
      );
    }
    const before = await eventsOf(archive, units);
    // What was meant: each message's events once per distinct unit, acceptance time and event.
    const meant = [
      ...new Set(
        [...messages, ...redelivered].flatMap((message) =>
          message.events.map((event) =>
            JSON.stringify([message.unitCode, message.acceptedAt, queuedEventSchema.parse(event)]),
          ),
        ),
      ),
    ]
      .map((line) => JSON.stringify((JSON.parse(line) as unknown[])[2]))
      .sort();
    expect(before.length).toBeGreaterThan(meant.length);
    const objectsBefore = (await archive.listDay('H31', '2026-12-31')).length;
    expect(objectsBefore).toBeGreaterThan(1);
    const config = loadSettings({});
    const rebuildDeps = () => ({
      archive,
      store: new InMemoryRebuildStore(),
      checkpoints: new InMemoryCheckpoints(),
      rules: config.dossier,
      dayOf: (ms: number) => dayOf(ms, config.time.utcOffsetMinutes),
      now: () => NOW,
    });
    const rebuildOptions = {
      unitCode: 'H31',
      from: '2026-12-01',
      to: '2027-01-31',
      swap: false,
      lookbackDays: 0,
      holdSeconds: 60,
    };
    const rebuiltBefore = await rebuild(rebuildDeps(), rebuildOptions);

    const report = await compactArchive(archive, NOW, { lookbackDays: 1 });
    const again = await compactArchive(archive, NOW, { lookbackDays: 1 });

    expect(report.days).toEqual(['2026-12-31', '2027-01-01']);
    for (const unitCode of units) {
      for (const day of report.days) {
        const keys = await archive.listDay(unitCode, day);
        expect(keys).toHaveLength(1);
        expect(archive.isCompacted(keys[0] ?? '')).toBe(true);
      }
    }
    expect(again.unitDays.map((unitDay) => unitDay.written)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(await eventsOf(archive, units)).toEqual(meant);
    const rebuiltAfter = await rebuild(rebuildDeps(), rebuildOptions);
    expect(rebuiltAfter.dossiers).toBe(rebuiltBefore.dossiers);
    expect(rebuiltAfter.differences).toEqual(rebuiltBefore.differences);
    expect(rebuiltAfter.archiveObjects).toBe(2);
  });
});
