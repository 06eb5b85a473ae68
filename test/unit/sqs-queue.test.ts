import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchEntries, SqsQueue } from '../../shared/adapters/sqs-queue.ts';
import { QueueUnavailableError } from '../../shared/domain/errors.ts';
import { packGroups } from '../../shared/domain/ingest/pack.ts';

const client = new SQSClient({ region: 'ap-southeast-1' });
const sqsMock = mockClient(client);
const url = 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/emc-dossier-events';
const queue = (): SqsQueue =>
  new SqsQueue({ queueUrls: { 'dossier-events': url }, maxBatchBytes: 262_144, client, baseDelayMs: 1 });

describe('packing', () => {
  it('packs items into as few groups as the byte limit allows, keeping order', () => {
    const items = Array.from({ length: 10 }, (_, i) => `"${String(i).repeat(8)}"`);
    const groups = packGroups(items, 10, 10 + 10 * 3 + 2);
    expect(groups.flat()).toEqual(items);
    for (const group of groups) expect(10 + group.join(',').length).toBeLessThanOrEqual(42);
    expect(groups).toHaveLength(4);
  });

  it('groups message bodies into batches of at most 10 entries and the byte limit', () => {
    const bodies = Array.from({ length: 25 }, () => 'x'.repeat(100));
    expect(batchEntries(bodies, 262_144).map((batch) => batch.length)).toEqual([10, 10, 5]);
    const big = Array.from({ length: 3 }, () => 'y'.repeat(150_000));
    expect(batchEntries(big, 262_144).map((batch) => batch.length)).toEqual([1, 1, 1]);
  });
});

describe('SqsQueue', () => {
  beforeEach(() => sqsMock.reset());

  it('sends every body with SendMessageBatch', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await queue().send('dossier-events', ['a', 'b', 'c']);
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.Entries?.map((entry) => entry.MessageBody)).toEqual(['a', 'b', 'c']);
  });

  it('retries only the entries that failed in a partial batch failure', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Failed: [] });
    await queue().send('dossier-events', ['a', 'b', 'c']);
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries?.map((entry) => entry.MessageBody)).toEqual(['b']);
  });

  it('backs off and retries when SQS throttles, then succeeds', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestThrottled' });
    sqsMock
      .on(SendMessageBatchCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ Failed: [] });
    await queue().send('dossier-events', ['a']);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });

  it('gives up with QueueUnavailableError during an outage, after a bounded number of attempts', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    await expect(queue().send('dossier-events', ['a'])).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(5);
  });

  it('does not retry an entry SQS refuses as the sender’s fault', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'InvalidMessageContents', SenderFault: true }] });
    await expect(queue().send('dossier-events', ['a'])).rejects.toThrow(/InvalidMessageContents/);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });
});
