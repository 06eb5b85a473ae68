import { describe, expect, it } from 'vitest';
import type { FailureLogPort, RecordFailure } from '../../../shared/domain/worker/sqs-batch.ts';
import { partialBatchResponse, sqsHandler } from '../../../shared/runtime/sqs-handler.ts';
import { lambdaContext, sqsEvent } from '../../fixtures/index.ts';

class MemoryFailureLog implements FailureLogPort {
  readonly recorded: { feed: string; failures: readonly RecordFailure[] }[] = [];
  async record(feed: string, failures: readonly RecordFailure[]): Promise<void> {
    this.recorded.push({ feed, failures });
  }
}

describe('the SQS runtime edge', () => {
  it('turns the failed message ids of an outcome into Lambda’s partial-batch response', () => {
    expect(partialBatchResponse({ failed: ['a', 'b'] })).toEqual({
      batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }],
    });
    expect(partialBatchResponse({ failed: [] })).toEqual({ batchItemFailures: [] });
  });

  it('answers with the records the worker failed and keeps why, with their receive count', async () => {
    const log = new MemoryFailureLog();
    const event = sqsEvent(['{"ok":true}', 'not json', '{"retry":true}'], 3);
    const [ok, poison, retried] = event.Records.map((record) => record.messageId);
    const handler = sqsHandler(
      'heartbeats',
      async (records, report) => {
        const [, bad, flaky] = records;
        if (bad) report.onPoison({ record: bad, reason: 'body is not JSON' });
        if (flaky) report.onFailure(flaky.messageId, new Error('TransactionConflict'));
        return { failed: [bad?.messageId ?? '', flaky?.messageId ?? ''] };
      },
      log,
    );

    const response = await handler(event, lambdaContext);

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([poison, retried]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).not.toContain(ok);
    expect(log.recorded).toEqual([
      {
        feed: 'heartbeats',
        failures: [
          { messageId: poison, reason: 'body is not JSON', receiveCount: 3 },
          { messageId: retried, reason: 'TransactionConflict', receiveCount: 3 },
        ],
      },
    ]);
  });

  it('writes nothing to the failure log when every record succeeds', async () => {
    const log = new MemoryFailureLog();
    const handler = sqsHandler('reports', async () => ({ failed: [] }), log);
    const response = await handler(sqsEvent(['{}']), lambdaContext);
    expect(response.batchItemFailures).toEqual([]);
    expect(log.recorded).toEqual([]);
  });
});
