import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoFailureLog } from '../../shared/adapters/dynamo-failure-log.ts';
import { S3Archive } from '../../shared/adapters/s3-archive.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { processDossierEventBatch } from '../../shared/domain/worker/dossier-batch.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import type { QueueRecord } from '../../shared/domain/worker/sqs-batch.ts';
import type { DossierEventsMessage } from '../../shared/schemas/queue.ts';
import { expectedCounters, storedCounters } from '../../simulator/model.ts';
import { generateStream, prng, toMessages, type UnitEvent } from '../helpers/dossier-streams.ts';
import { type LocalAws, scanAll, startLocalAws } from '../helpers/local-aws.ts';

const options = countOptions(loadSettings({}));
/** The worker's clock, fixed: it only measures lag here. */
const T0 = Date.parse('2026-11-23T03:05:00Z');
let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

class CrashError extends Error {
  override readonly name = 'CrashError';
}

interface Faults {
  /** Probability that any DynamoDB call is throttled. */
  throttle: number;
  /** When set, the process "dies" before the write after this many more writes. */
  crashAfterWrites?: number;
}

/** Injects throttling and crashes at the SDK's edge, below the adapter's own retry logic. */
function injectFaults(raw: DynamoDBClient, faults: Faults, random: () => number): void {
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (random() < faults.throttle) {
        throw Object.assign(new Error('Throughput exceeds the current capacity'), {
          name: 'ProvisionedThroughputExceededException',
          $metadata: { httpStatusCode: 400 },
        });
      }
      if (faults.crashAfterWrites !== undefined && /Transact|Update|Put|Delete/.test(command)) {
        if (faults.crashAfterWrites <= 0) throw new CrashError(`crashed before ${command}`);
        faults.crashAfterWrites--;
      }
      return next(args);
    },
    { step: 'initialize', name: 'faultInjection' },
  );
}

let sequence = 0;
function records(messages: readonly DossierEventsMessage[]): QueueRecord[] {
  return messages.map((message) => ({
    messageId: `m-${sequence++}`,
    body: JSON.stringify(message),
    receiveCount: 1,
  }));
}

async function setup(faults: Faults = { throttle: 0 }, seed = 1) {
  const { names, raw, doc } = await aws.tables();
  injectFaults(raw, faults, prng(seed));
  const store = new DynamoDossierStore(names.state, doc);
  const archive = new S3Archive(aws.bucket, aws.s3);
  const poison: string[] = [];
  const deps = {
    store,
    archive,
    setAside: new DynamoFailureLog(names.state, doc),
    options,
    onPoison: (p: { reason: string }) => poison.push(p.reason),
    onFailure: () => undefined,
    clock: () => T0,
  };
  /** Delivers like the event-source mapping: failed or crashed records come back until they succeed. */
  const deliver = async (batch: readonly DossierEventsMessage[]): Promise<void> => {
    let pending = records(batch);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 50) throw new Error('records never succeeded');
      try {
        const response = await processDossierEventBatch(pending, deps);
        const failed = new Set(response.failed);
        pending = pending.filter((record) => failed.has(record.messageId));
      } catch (error) {
        if (!(error instanceof CrashError)) throw error;
        faults.crashAfterWrites = undefined;
      }
    }
  };
  const counters = async (units: string[]) => {
    faults.throttle = 0;
    for (const unit of units) await store.fold(unit, 1);
    return storedCounters(await scanAll(raw, names.state));
  };
  return { deliver, counters, faults, poison, store };
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const units = (events: readonly UnitEvent[]): string[] => [...new Set(events.map((event) => event.unitCode))];

describe('dossier worker, exactly once against DynamoDB Local', () => {
  it('counts a stream delivered once exactly as the independent model does', async () => {
    const events = generateStream(11, { dossiers: 60 });
    const t = await setup();
    for (const batch of batches(toMessages(events, 25), 4)) await t.deliver(batch);
    const stored = await t.counters(units(events));
    expect(stored.size).toBeGreaterThan(50);
    expect(stored).toEqual(expectedCounters(events));
  });

  it('gives identical counters when every message is delivered twice', async () => {
    const events = generateStream(12, { dossiers: 60 });
    const messages = toMessages(events, 20);
    const t = await setup();
    for (const batch of batches(messages, 3)) await t.deliver(batch);
    for (const batch of batches(messages, 5)) await t.deliver(batch);
    expect(await t.counters(units(events))).toEqual(expectedCounters(events));
  });

  it('has zero drift when the worker dies after a random number of writes in 5% of batches', async () => {
    const events = generateStream(13, { dossiers: 220 });
    const random = prng(99);
    const t = await setup();
    const crashPoints: number[] = [];
    for (const batch of batches(toMessages(events, 3), 1)) {
      if (random() < 0.05) {
        t.faults.crashAfterWrites = Math.floor(random() * 4);
        crashPoints.push(t.faults.crashAfterWrites);
      }
      await t.deliver(batch);
    }
    expect(crashPoints.length).toBeGreaterThanOrEqual(8);
    expect(crashPoints.filter((writes) => writes > 0).length).toBeGreaterThanOrEqual(4);
    expect(await t.counters(units(events))).toEqual(expectedCounters(events));
  });

  it('has zero drift when 20% of DynamoDB calls are throttled', async () => {
    const events = generateStream(14, { dossiers: 80 });
    const t = await setup({ throttle: 0.2 }, 7);
    for (const batch of batches(toMessages(events, 15), 3)) await t.deliver(batch);
    expect(await t.counters(units(events))).toEqual(expectedCounters(events));
  });

  it('gives the model’s counters for any permutation and duplication of a stream', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        async (seed, messageSize, duplicates, batchSize) => {
          const canonical = generateStream(seed, { dossiers: 25 });
          const random = prng(seed ^ 0x5eed);
          const shuffled = [...canonical];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [shuffled[i], shuffled[j]] = [shuffled[j] as UnitEvent, shuffled[i] as UnitEvent];
          }
          for (let i = 0; i < duplicates; i++) {
            const copy = shuffled[Math.floor(random() * shuffled.length)];
            if (copy) shuffled.splice(Math.floor(random() * shuffled.length), 0, copy);
          }
          const t = await setup();
          for (const batch of batches(toMessages(shuffled, messageSize), batchSize)) await t.deliver(batch);
          expect(await t.counters(units(canonical))).toEqual(expectedCounters(canonical));
        },
      ),
      { numRuns: 12 },
    );
  });

  it('reports a poison record as a failure with its reason, and still counts the rest of its batch', async () => {
    const events = generateStream(15, { dossiers: 5 });
    const t = await setup();
    const good = records(toMessages(events, 100));
    const poison = {
      messageId: 'poison-1',
      body: '{"v":1,"kind":"dossier-events","events":"nope"}',
      receiveCount: 3,
    };
    const { names, raw, doc } = await aws.tables();
    const store = new DynamoDossierStore(names.state, doc);
    const reasons: string[] = [];
    const response = await processDossierEventBatch([poison, ...good], {
      store,
      archive: new S3Archive(aws.bucket, aws.s3),
      setAside: new DynamoFailureLog(names.state, doc),
      options,
      onPoison: (p) => reasons.push(p.reason),
      onFailure: () => undefined,
      clock: () => T0,
    });
    expect(response.failed).toEqual(['poison-1']);
    expect(reasons[0]).toContain('does not match the queue contract');
    for (const unit of units(events)) await store.fold(unit, 1);
    expect(storedCounters(await scanAll(raw, names.state))).toEqual(expectedCounters(events));
    expect(t.poison).toEqual([]);
  });

  it('sets aside one event the contract refuses, with its reason, and counts the rest of its message', async () => {
    const events = generateStream(17, { dossiers: 8, units: ['H33'] });
    const [message] = toMessages(events, events.length);
    if (!message) throw new Error('no message generated');
    const bad = { ...message.events[0], eventId: 'pre-1970', dueAt: -1000 };
    const record = {
      messageId: 'mixed-1',
      body: JSON.stringify({ ...message, events: [...message.events, bad] }),
      receiveCount: 1,
    };
    const { names, raw, doc } = await aws.tables();
    const store = new DynamoDossierStore(names.state, doc);
    const log = new DynamoFailureLog(names.state, doc);
    const poison: string[] = [];
    const response = await processDossierEventBatch([record], {
      store,
      archive: new S3Archive(aws.bucket, aws.s3),
      setAside: log,
      options,
      onPoison: (p) => poison.push(p.reason),
      onFailure: () => undefined,
      clock: Date.now,
    });
    expect(response.failed).toEqual([]);
    expect(poison).toEqual([]);
    for (const unit of units(events)) await store.fold(unit, 1);
    expect(storedCounters(await scanAll(raw, names.state))).toEqual(expectedCounters(events));
    const aside = await log.setAsideEvents('dossier-events');
    expect(aside.map((entry) => [entry.messageId, entry.index, entry.eventId])).toEqual([
      ['mixed-1', message.events.length, 'pre-1970'],
    ]);
    expect(aside[0]?.reason).toContain(`events[${message.events.length}].dueAt`);
  });

  it('archives a batch as one object per unit, with every event, and a redelivery overwrites it', async () => {
    const events = generateStream(16, { dossiers: 10, units: ['H31'] });
    const messages = toMessages(events, 10).map((message) => ({ ...message, acceptedAt: T0 }));
    const t = await setup();
    await t.deliver(messages);
    await t.deliver(messages);
    const listed = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: 'raw/dossier-events/H31/' }),
    );
    expect(messages.length).toBeGreaterThan(1);
    expect(listed.KeyCount).toBe(1);
    const archive = new S3Archive(aws.bucket, aws.s3);
    const stored = await archive.readEvents(listed.Contents?.[0]?.Key ?? '');
    expect((stored ?? []).map((event) => event.eventId).sort()).toEqual(
      messages.flatMap((message) => message.events.map((event) => event.eventId)).sort(),
    );
  });
});
