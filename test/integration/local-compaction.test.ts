import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../local/stack.ts';
import { S3Archive } from '../../shared/adapters/s3-archive.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import { type DossierEventsMessage, queuedEventSchema } from '../../shared/schemas/queue.ts';
import { generateStream, toMessages } from '../helpers/dossier-streams.ts';
import { credentials, region } from '../helpers/local-aws.ts';

/** 23:55 on 31 December 2026 in Hà Nội. */
const START = Date.parse('2026-12-31T23:55:00+07:00');
/** The last millisecond of 2026 in Hà Nội. */
const LAST_MS_OF_2026 = Date.parse('2027-01-01T00:00:00+07:00') - 1;

const dataDir = mkdtempSync(join(tmpdir(), 'emc-local-compaction-'));
const clock = ShiftedClock.startingAt(START);
const lines: string[] = [];
let stack: Stack;
let archive: S3Archive;

beforeAll(async () => {
  stack = await startStack({ dataDir, clock, evaluateEverySeconds: 1, log: (line) => lines.push(line) });
  const s3 = new S3Client({ endpoint: stack.file.s3, region, credentials, forcePathStyle: true });
  archive = new S3Archive(stack.file.bucket, s3);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const until = async (condition: () => Promise<boolean>, what: string): Promise<void> => {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen; the stack said: ${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('the local stack compacts the raw archive as the daily function does in AWS', () => {
  it('leaves the open day alone and merges it into one object once Vietnam midnight has passed', async () => {
    const messages = toMessages(generateStream(7, { dossiers: 20, units: ['H31'] }), 2, LAST_MS_OF_2026);
    const item = (message: DossierEventsMessage) => ({ message, body: JSON.stringify(message) });
    // Three batches of the last minute of 2026, as the worker writes them.
    for (let start = 0; start < 3; start++)
      await archive.putDossierEvents(messages.filter((_, i) => i % 3 === start).map(item));
    const day = async () => archive.listDay('H31', '2026-12-31');
    expect(await day()).toHaveLength(3);

    // Evaluations run every second; on 31 December the day is still open, and nothing is merged.
    await until(async () => lines.some((line) => line.startsWith('evaluation:')), 'an evaluation');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await day()).toHaveLength(3);

    clock.advance(5 * 60_000);
    await until(async () => (await day()).length === 1, 'the compaction of 31 December');
    expect(lines).toContainEqual(expect.stringMatching(/^archive: 1 unit-day\(s\) compacted/));
    const [only] = await day();
    const events = (await archive.readEvents(only ?? '')) ?? [];
    expect(events.map((event) => JSON.stringify(event)).sort()).toEqual(
      messages
        .flatMap((message) => message.events.map((event) => JSON.stringify(queuedEventSchema.parse(event))))
        .sort(),
    );
  }, 180_000);
});
