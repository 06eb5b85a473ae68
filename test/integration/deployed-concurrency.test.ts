import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/servers.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import { mappingSettings, topology } from '../../shared/topology.ts';
import { expectedCounters, storedCounters } from '../../simulator/model.ts';
import { type ConflictProxy, startConflictProxy } from '../helpers/conflict-proxy.ts';
import { generateStream, toMessages } from '../helpers/dossier-streams.ts';
import { credentials, dynamoClients, region, scanAll } from '../helpers/local-aws.ts';

/**
 * The local stack at the deployed settings of shared/topology.ts (10 invocations at once per queue, batches of
 * 100, a 5-second window), in front of DynamoDB Local through a proxy that cancels overlapping transactions as
 * DynamoDB does. Ten invocations then race for the same units' counters, lose transactions to each other, and
 * the counts must still equal the independent model's.
 */
const deployed = mappingSettings('dossier-events', 'deployed');
const dataDir = mkdtempSync(join(tmpdir(), 'emc-concurrency-'));
const events = generateStream(21, { dossiers: 400, units: ['H48', 'G12', 'T01'] });
// Small messages, so that the 10 invocations each get a batch and all overlap on the same three units.
const messages = toMessages(events, 3);
let stack: Stack;
let proxy: ConflictProxy;

beforeAll(async () => {
  // The proxy must know DynamoDB Local's address before the stack starts it, so its port is chosen here.
  const dynamodb = await freePort();
  proxy = await startConflictProxy(`http://127.0.0.1:${dynamodb}`);
  stack = await startStack({
    dataDir,
    profile: 'deployed',
    ports: { dynamodb },
    // The one setting not at its deployed value: a record whose transactions kept losing comes back after
    // 10 seconds instead of 6 minutes, as it would in AWS after the visibility timeout.
    visibilityTimeoutSeconds: 10,
    clock: ShiftedClock.startingAt(Date.parse('2026-11-23T10:05:00+07:00')),
    via: (service, endpoint) => (service === 'dynamodb' ? proxy.url : endpoint),
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local stack at the deployed concurrency', () => {
  it('runs the dossier worker with the concurrency, batch size and window AWS runs', () => {
    expect(deployed).toMatchObject({
      concurrency: topology.workers['dossier-events'].maxConcurrency,
      batchSize: 100,
      batchingWindowMs: 5000,
    });
    expect(deployed.concurrency).toBe(10);
    expect(stack.mappings['dossier-events'].options).toMatchObject({
      concurrency: 10,
      batchSize: 100,
      batchingWindowMs: 5000,
    });
  });

  it('counts exactly as the independent model while 10 invocations lose transactions to each other', async () => {
    const sqs = new SQSClient({ endpoint: stack.file.sqs, region, credentials });
    const queueUrl = stack.file.queues['dossier-events']?.url;
    for (let i = 0; i < messages.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.slice(i, i + 10).map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message),
          })),
        }),
      );
    }
    await stack.drained(180_000);

    const mapping = stack.mappings['dossier-events'];
    expect(mapping.peakInvoking).toBeGreaterThan(1);
    expect(mapping.peakInvoking).toBeLessThanOrEqual(10);
    expect(proxy.counts.peakTransactions).toBeGreaterThan(1);
    expect(proxy.counts.cancelled).toBeGreaterThan(0);

    const { raw, doc } = dynamoClients(stack.file.dynamodb);
    const store = new DynamoDossierStore(stack.file.tables.state, doc);
    for (const unit of new Set(events.map((event) => event.unitCode))) await store.fold(unit, 1);
    const stored = storedCounters(await scanAll(raw, stack.file.tables.state));
    expect(stored.size).toBeGreaterThan(50);
    expect(stored).toEqual(expectedCounters(events));
  }, 300_000);
});
