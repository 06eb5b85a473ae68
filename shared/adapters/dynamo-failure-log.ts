import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/ports.ts';
import type { FailureLogPort, RecordFailure } from '../domain/worker/sqs-batch.ts';
import { dynamo } from './dynamo-client.ts';
import { withRetry } from './dynamo-retry.ts';
import { keys } from './state-keys.ts';

/** SQS keeps a message at most 14 days, in its queue and then its DLQ. */
const KEEP_SECONDS = 14 * 86_400;

/**
 * The last failure reason of each record, one small item per message id (spread over partitions, never one
 * hot key), written only when a record fails and read by `emc dlq inspect`.
 */
export class DynamoFailureLog implements FailureLogPort {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = dynamo,
    private readonly clock: Clock = Date.now,
  ) {}

  async record(feed: string, failures: readonly RecordFailure[]): Promise<void> {
    const at = this.clock();
    for (let start = 0; start < failures.length; start += 25) {
      let request: Record<string, unknown>[] | undefined = failures
        .slice(start, start + 25)
        .map((failure) => ({
          PutRequest: {
            Item: {
              ...keys.failure(feed, failure.messageId),
              reason: failure.reason.slice(0, 1000),
              receiveCount: failure.receiveCount,
              at,
              expiresAt: Math.floor(at / 1000) + KEEP_SECONDS,
            },
          },
        }));
      for (let attempt = 0; request && request.length > 0 && attempt < 5; attempt++) {
        const batch: Record<string, unknown>[] = request;
        const result = await withRetry(() =>
          this.client.send(new BatchWriteCommand({ RequestItems: { [this.table]: batch as never } })),
        );
        request = result.UnprocessedItems?.[this.table] as Record<string, unknown>[] | undefined;
      }
    }
  }

  async reasons(
    feed: string,
    messageIds: readonly string[],
  ): Promise<Map<string, { reason: string; receiveCount: number; at: number }>> {
    const found = new Map<string, { reason: string; receiveCount: number; at: number }>();
    for (let start = 0; start < messageIds.length; start += 100) {
      const wanted = messageIds.slice(start, start + 100).map((id) => keys.failure(feed, id));
      const result = await withRetry(() =>
        this.client.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: wanted } } })),
      );
      for (const item of result.Responses?.[this.table] ?? []) {
        found.set(String(item.pk).slice(2), {
          reason: String(item.reason),
          receiveCount: Number(item.receiveCount ?? 0),
          at: Number(item.at ?? 0),
        });
      }
    }
    return found;
  }
}
