import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSourceMapping } from '../../local/poller.ts';
import { type RunningServer, startSqs } from '../../local/servers.ts';
import { SqsQueueAdmin } from '../../shared/adapters/sqs-queue-admin.ts';

let server: RunningServer;
let sqs: SQSClient;
let queueCount = 0;

beforeAll(async () => {
  server = await startSqs();
  sqs = new SQSClient({
    endpoint: server.endpoint,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
});
afterAll(async () => {
  await server?.stop();
});

async function queues(maxReceiveCount: number) {
  const name = `esm-${queueCount++}`;
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl ?? '';
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const queue =
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: dlqArn,
              maxReceiveCount: String(maxReceiveCount),
            }),
          },
        }),
      )
    ).QueueUrl ?? '';
  return { queue, dlq };
}

async function send(queue: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue,
        Entries: bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: String(j), MessageBody })),
      }),
    );
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const options = (queue: string, batchSize = 10) => ({
  queueUrl: queue,
  queueArn: 'arn:aws:sqs:local:000000000000:q',
  batchSize,
  batchingWindowMs: 300,
  visibilityTimeoutSeconds: 1,
  concurrency: 1,
  functionName: 'test',
});

describe('the local SQS event-source mapping', () => {
  it('hands the handler batches no larger than the batch size, and deletes what succeeded', async () => {
    const { queue } = await queues(5);
    await send(
      queue,
      Array.from({ length: 25 }, (_, i) => `m${i}`),
    );
    const batches: number[] = [];
    const seen = new Set<string>();
    const mapping = new EventSourceMapping(
      new SqsQueueAdmin(sqs),
      async (event: SQSEvent) => {
        batches.push(event.Records.length);
        for (const record of event.Records) seen.add(record.body);
        return { batchItemFailures: [] };
      },
      options(queue, 7),
    );
    mapping.start();
    await until(() => seen.size === 25);
    await mapping.stop();
    expect(Math.max(...batches)).toBeLessThanOrEqual(7);
    const left = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 0 }));
    expect(left.Messages ?? []).toEqual([]);
  });

  it('redelivers only the records reported as failed, after the visibility timeout', async () => {
    const { queue } = await queues(5);
    await send(queue, ['ok-1', 'fail-once', 'ok-2']);
    const deliveries: string[] = [];
    let failed = false;
    const mapping = new EventSourceMapping(
      new SqsQueueAdmin(sqs),
      async (event: SQSEvent) => {
        const failures: { itemIdentifier: string }[] = [];
        for (const record of event.Records) {
          deliveries.push(record.body);
          if (record.body === 'fail-once' && !failed) {
            failed = true;
            failures.push({ itemIdentifier: record.messageId });
          }
        }
        return { batchItemFailures: failures };
      },
      options(queue),
    );
    mapping.start();
    await until(() => deliveries.filter((d) => d === 'fail-once').length === 2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await mapping.stop();
    expect(deliveries.filter((d) => d === 'ok-1')).toHaveLength(1);
    expect(deliveries.filter((d) => d === 'ok-2')).toHaveLength(1);
  });

  it('retries the whole batch when the handler throws', async () => {
    const { queue } = await queues(5);
    await send(queue, ['a', 'b']);
    let calls = 0;
    const delivered: string[] = [];
    const mapping = new EventSourceMapping(
      new SqsQueueAdmin(sqs),
      async (event: SQSEvent) => {
        calls++;
        if (calls === 1) throw new Error('crash');
        delivered.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
      options(queue),
    );
    mapping.start();
    await until(() => delivered.length >= 2);
    await mapping.stop();
    expect(delivered.sort()).toEqual(['a', 'b']);
  });

  it('moves a record that always fails to the DLQ after maxReceiveCount receives', async () => {
    const { queue, dlq } = await queues(2);
    await send(queue, ['poison']);
    let attempts = 0;
    const mapping = new EventSourceMapping(
      new SqsQueueAdmin(sqs),
      async (event: SQSEvent) => {
        attempts += event.Records.length;
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      options(queue),
    );
    mapping.start();
    let inDlq: string[] = [];
    await until(async () => {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 0, VisibilityTimeout: 0 }),
      );
      inDlq = (got.Messages ?? []).map((m) => m.Body ?? '');
      return inDlq.length > 0;
    });
    await mapping.stop();
    expect(inDlq).toEqual(['poison']);
    expect(attempts).toBe(2);
  });
});
