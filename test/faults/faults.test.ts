import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/servers.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { MANIFEST_KEY } from '../../shared/adapters/s3-snapshot-publisher.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import { CREDENTIALS, REGION } from '../../shared/config/local-stack.ts';
import {
  type LatestSnapshot,
  latestSnapshotSchema,
  unitSnapshotSchema,
} from '../../shared/schemas/snapshot.ts';
import { prng } from '../../simulator/random.ts';
import type { GroundTruth } from '../../simulator/simulate.ts';
import { expectMatchesTruth } from '../helpers/truth.ts';
import { type Exchange, type FaultProxy, startFaultProxy, type Verdict } from './proxy.ts';

/**
 * The whole local stack under the simulator's traffic while its parts fail: workers die mid-batch and after
 * their writes, DynamoDB Local restarts and loses connections both ways, SQS refuses sends (so ingest answers
 * 503 and the senders retry), and S3 refuses writes. Afterwards every published figure equals the simulator's
 * truth and no event sits in a dead-letter queue.
 *
 * `EMC_FAULTS=full` sends more traffic at higher fault rates and restarts DynamoDB Local twice; the default is
 * the short run of `npm test`.
 */
const FULL = process.env.EMC_FAULTS === 'full';
const PLAN = FULL
  ? { dossiers: 2500, days: 10, restarts: 2, sqsRefusal: 0.2, writeCut: 0.05, abandon: 0.15, s3Refusal: 0.15 }
  : { dossiers: 700, days: 5, restarts: 1, sqsRefusal: 0.1, writeCut: 0.03, abandon: 0.1, s3Refusal: 0.1 };

const DYNAMO_WRITES = new Set([
  'TransactWriteItems',
  'UpdateItem',
  'PutItem',
  'BatchWriteItem',
  'DeleteItem',
]);
const operation = (exchange: Exchange): string => exchange.target.split('.').pop() ?? '';

const SQS_REFUSAL: Verdict = {
  status: 500,
  contentType: 'application/x-amz-json-1.0',
  body: JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: 'injected' }),
};
const S3_REFUSAL: Verdict = {
  status: 503,
  contentType: 'application/xml',
  body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected</Message></Error>',
};

describe('the local stack under injected faults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'emc-faults-'));
  const random = prng(20_261_202);
  const faults = {
    on: false,
    sqsRefusals: 0,
    refuseEverySend: false,
    dynamoCuts: 0,
    s3Refusals: 0,
    s3Refusal: 0,
    abandoned: 0,
    /** Once this many S3 writes have gone through, the evaluation's process is gone: nothing reaches S3 or DynamoDB. */
    deathAfterPuts: null as number | null,
    puts: 0,
  };
  let proxies: FaultProxy[] = [];
  let stack: Stack;
  let truth: GroundTruth;
  const clock = ShiftedClock.startingAt(Date.parse('2026-11-18T10:00:00+07:00'));

  beforeAll(async () => {
    const ports = { dynamodb: await freePort(), s3: await freePort(), sqs: await freePort() };
    const services = ['dynamodb', 's3', 'sqs'] as const;
    proxies = await Promise.all(
      services.map((service) =>
        startFaultProxy(`http://127.0.0.1:${ports[service]}`, (exchange) => judge(service, exchange)),
      ),
    );
    const proxyOf = Object.fromEntries(services.map((service, i) => [service, proxies[i]?.url ?? '']));
    stack = await startStack({
      dataDir,
      clock,
      ...(process.env.EMC_FAULTS_TRACE ? { log: (line: string) => console.error(line) } : {}),
      ports,
      // Long enough to outlast a DynamoDB Local restart on a busy machine: no valid record may reach a DLQ.
      maxReceiveCount: 30,
      visibilityTimeoutSeconds: 2,
      via: (service) => proxyOf[service] ?? '',
      abandonInvocation: (feed) => {
        // The first invocation once the faults are on dies for sure: a fast machine runs few, larger batches.
        const abandon =
          faults.on && feed === 'dossier-events' && (faults.abandoned === 0 || random() < PLAN.abandon);
        if (abandon) faults.abandoned++;
        return abandon;
      },
    });
  });

  function judge(service: string, exchange: Exchange): Verdict {
    if (faults.deathAfterPuts !== null && service !== 'sqs') {
      if (service === 's3' && exchange.method === 'PUT') faults.puts++;
      if (faults.puts > faults.deathAfterPuts) return 'reset';
    }
    if (service === 'sqs' && operation(exchange).startsWith('SendMessage')) {
      if (faults.refuseEverySend || (faults.on && random() < PLAN.sqsRefusal)) {
        faults.sqsRefusals++;
        return SQS_REFUSAL;
      }
    }
    if (service === 'dynamodb' && faults.on && DYNAMO_WRITES.has(operation(exchange))) {
      const roll = random();
      if (roll < PLAN.writeCut / 2) {
        faults.dynamoCuts++;
        return 'reset';
      }
      if (roll < PLAN.writeCut) {
        faults.dynamoCuts++;
        return 'lost';
      }
    }
    if (service === 's3' && exchange.method === 'PUT') {
      if (random() < faults.s3Refusal) {
        faults.s3Refusals++;
        return S3_REFUSAL;
      }
    }
    return 'pass';
  }

  afterAll(async () => {
    await stack?.stop();
    await Promise.all(proxies.map((p) => p.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function latest(): Promise<LatestSnapshot> {
    const response = await fetch(`${stack.url}/snapshots/latest.json`, { cache: 'no-store' });
    expect(response.status).toBe(200);
    return latestSnapshotSchema.parse(await response.json());
  }

  /** Evaluates until one run publishes, with S3 refusing writes at the given rate; returns the failed runs. */
  async function evaluateThrough(refusal: number): Promise<number> {
    faults.s3Refusal = refusal;
    let failed = 0;
    try {
      for (;;) {
        try {
          await stack.evaluateNow();
          return failed;
        } catch (error) {
          failed++;
          if (failed >= 8) throw new Error(`eight evaluations in a row failed, the last with: ${error}`);
        }
      }
    } finally {
      faults.s3Refusal = 0;
    }
  }

  async function messagesIn(url: string): Promise<number> {
    const attributes = await new SQSClient({ endpoint: stack.file.sqs }).send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  it('counts every accepted event once while workers die, DynamoDB restarts, and SQS and S3 refuse', async () => {
    const { simulateAgainst } = await import('../../cli/simulate/run.ts');
    const restarts: Promise<void>[] = [];
    const restartAt = Array.from({ length: PLAN.restarts }, (_, i) => (i + 1) / (PLAN.restarts + 1));
    truth = await simulateAgainst(
      { url: stack.url, tables: stack.file.tables },
      {
        seed: 11,
        dossiers: PLAN.dossiers,
        days: PLAN.days,
        now: clock.now(),
        // Registration and keys are done once the first request goes out: from then on, everything fails.
        progress: (done, total) => {
          if (process.env.EMC_FAULTS_TRACE && done % 50 === 0)
            console.error(
              `sent ${done}/${total} ${JSON.stringify(faults)} ${JSON.stringify(proxies.map((p) => p.counts))}`,
            );
          faults.on = true;
          faults.s3Refusal = PLAN.s3Refusal;
          if (restarts.length < restartAt.length && done >= total * (restartAt[restarts.length] ?? 1))
            restarts.push(stack.restartDynamoDB());
        },
      },
    );
    await Promise.all(restarts);
    expect(restarts).toHaveLength(PLAN.restarts);
    faults.on = false;
    faults.s3Refusal = 0;
    await stack.drained(300_000);
    const failedEvaluations = await evaluateThrough(PLAN.s3Refusal);
    expectMatchesTruth(await latest(), truth);
    for (const queue of Object.values(stack.file.queues)) expect(await messagesIn(queue.dlqUrl)).toBe(0);
    // Every kind of fault happened, or the test would prove nothing.
    expect(faults.sqsRefusals).toBeGreaterThan(0);
    expect(faults.dynamoCuts).toBeGreaterThan(0);
    expect(faults.abandoned).toBeGreaterThan(0);
    expect(faults.s3Refusals).toBeGreaterThan(0);
    console.info(
      `faults: ${faults.sqsRefusals} SQS sends refused, ${faults.dynamoCuts} DynamoDB writes cut (half before, half after the write), ${faults.abandoned} worker invocations abandoned after their writes, ${PLAN.restarts} DynamoDB Local restart(s), ${faults.s3Refusals} S3 writes refused, ${failedEvaluations} evaluation(s) failed on them; ${truth.sent.events} events sent`,
    );
  });

  /** Every object of a published generation is there and whole: each unit's file of that generation parses. */
  async function expectWhole(snapshot: LatestSnapshot): Promise<void> {
    const files = await Promise.all(
      snapshot.units.map(async (row) => {
        const response = await fetch(`${stack.url}/${snapshot.generation}units/${row.unitCode}.json`);
        return [row.unitCode, response.status, unitSnapshotSchema.safeParse(await response.json()).success];
      }),
    );
    expect(files).toEqual(snapshot.units.map((row) => [row.unitCode, 200, true]));
  }

  it('keeps the dashboard on the last whole generation when an evaluation dies mid-publish', async () => {
    const before = await latest();
    await expectWhole(before);
    clock.advance(60_000);
    // Without its manifest a run writes every unit's file, as a first run does. It dies once 20 of its
    // objects are written: its unit files are half there, latest.json is not.
    const s3 = new S3Client({
      endpoint: stack.file.s3,
      region: REGION,
      credentials: CREDENTIALS,
      forcePathStyle: true,
    });
    await s3.send(new DeleteObjectCommand({ Bucket: stack.file.bucket, Key: MANIFEST_KEY }));
    faults.puts = 0;
    faults.deathAfterPuts = 20;
    try {
      await expect(stack.evaluateNow()).rejects.toThrow();
    } finally {
      faults.deathAfterPuts = null;
    }
    expect(faults.puts).toBeGreaterThan(20);
    const during = await latest();
    expect(during.generation).toBe(before.generation);
    expect(during.generatedAt).toBe(before.generatedAt);
    await expectWhole(during);

    clock.advance(60_000);
    await stack.evaluateNow();
    const after = await latest();
    expect(after.generation).not.toBe(before.generation);
    await expectWhole(after);
    expectMatchesTruth(after, truth);
  });

  it('answers 503 with Retry-After while the queue refuses every send, and 202 once it accepts again', async () => {
    const { issueKey } = await import('../../shared/domain/auth/api-keys.ts');
    const { DynamoKeyStore } = await import('../../shared/adapters/dynamo-key-store.ts');
    const { key, record } = issueKey(process.env.EMC_KEY_PEPPER ?? '', 'H01', clock.now());
    await new DynamoKeyStore(stack.file.tables.keys).put(record);
    const send = () =>
      fetch(`${stack.url}/v1/heartbeats`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ systemId: 'probe', sentAt: new Date(clock.now()).toISOString() }),
      });
    faults.refuseEverySend = true;
    const refused = await send();
    faults.refuseEverySend = false;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await send()).status).toBe(202);
  });
});
