import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Clock } from '../domain/ports.ts';
import type { SetAsideEvent, SetAsidePort } from '../domain/worker/dossier-batch.ts';
import type { FailureLogPort, RecordFailure } from '../domain/worker/sqs-batch.ts';
import { dynamo } from './dynamo-client.ts';
import { queryAll } from './dynamo-query.ts';
import { withRetry } from './dynamo-retry.ts';
import { keys } from './state-keys.ts';

const setAsideItemSchema = z.object({
  messageId: z.string(),
  index: z.number().int(),
  unitCode: z.string(),
  eventId: z.string().optional(),
  reason: z.string(),
  event: z.string(),
  at: z.number(),
});
const unitSetAsideSchema = z.object({
  kind: z.enum(['quarantined', 'dead-letter']),
  reason: z.string(),
  at: z.number(),
});
export type StoredSetAsideEvent = SetAsideEvent & { at: number };

const DAY_MS = 86_400_000;

/** SQS keeps a message at most 14 days, in its queue and then its DLQ. */
const KEEP_SECONDS = 14 * 86_400;

/**
 * The last failure reason of each record, one small item per message id (spread over partitions, never one
 * hot key), written only when a record fails and read by `emc dlq inspect`.
 */
export class DynamoFailureLog implements FailureLogPort, SetAsidePort {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = dynamo,
    private readonly clock: Clock = Date.now,
  ) {}

  async record(feed: string, failures: readonly RecordFailure[]): Promise<void> {
    const at = this.clock();
    const expiresAt = Math.floor(at / 1000) + KEEP_SECONDS;
    await this.putAll(
      [
        ...failures.map((failure) => ({
          ...keys.failure(feed, failure.messageId),
          reason: failure.reason.slice(0, 1000),
          receiveCount: failure.receiveCount,
          at,
          expiresAt,
        })),
        // A message on its last delivery goes to the DLQ: the unit's own view counts it by reason.
        ...failures.flatMap((failure) =>
          failure.final && failure.unitCode
            ? [
                {
                  pk: keys.setAsideByUnitPartition(failure.unitCode),
                  sk: `d#${feed}#${failure.messageId}`,
                  kind: 'dead-letter',
                  reason: failure.reason.slice(0, 300),
                  at,
                  expiresAt,
                },
              ]
            : [],
        ),
      ],
      false,
    );
  }

  /** What was set aside for one unit since `from`: quarantined events and dead letters, newest writes kept. */
  async setAsideForUnit(
    unitCode: string,
    from: number,
  ): Promise<{ kind: 'quarantined' | 'dead-letter'; reason: string; at: number }[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: '#at >= :from',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':pk': keys.setAsideByUnitPartition(unitCode), ':from': from },
    });
    return items.flatMap((item) => {
      const parsed = unitSetAsideSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /**
   * Keeps each set-aside event for as long as a dead letter could live, under the day it was set aside.
   * Throws unless every item was written, so the worker retries the message rather than lose an event.
   */
  async setAside(feed: 'dossier-events', events: readonly SetAsideEvent[]): Promise<void> {
    const at = this.clock();
    const day = new Date(at).toISOString().slice(0, 10);
    await this.putAll(
      events.map((event) => ({
        pk: keys.setAsidePartition(feed, day),
        sk: keys.setAsideSort(event.messageId, event.index),
        ...event,
        reason: event.reason.slice(0, 1000),
        event: event.event.slice(0, 8000),
        at,
        expiresAt: Math.floor(at / 1000) + KEEP_SECONDS,
      })),
      true,
    );
    // The unit's own copy: its reason only, never the event, so GET /v1/me can count it by reason.
    await this.putAll(
      events.map((event) => ({
        pk: keys.setAsideByUnitPartition(event.unitCode),
        sk: `q#${event.messageId}#${String(event.index).padStart(4, '0')}`,
        kind: 'quarantined',
        reason: event.reason.slice(0, 300),
        at,
        expiresAt: Math.floor(at / 1000) + KEEP_SECONDS,
      })),
      true,
    );
  }

  /** The events set aside in the last 14 days, newest day first. */
  async setAsideEvents(feed: 'dossier-events', limit = 100): Promise<StoredSetAsideEvent[]> {
    const found: StoredSetAsideEvent[] = [];
    const now = this.clock();
    for (let back = 0; back <= KEEP_SECONDS / 86_400 && found.length < limit; back++) {
      const day = new Date(now - back * DAY_MS).toISOString().slice(0, 10);
      const items = await queryAll(this.client, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.setAsidePartition(feed, day) },
      });
      for (const item of items) {
        const parsed = setAsideItemSchema.safeParse(item);
        if (parsed.success && found.length < limit) {
          const { eventId, ...rest } = parsed.data;
          found.push(eventId === undefined ? rest : { ...rest, eventId });
        }
      }
    }
    return found;
  }

  private async putAll(items: Record<string, unknown>[], mustWriteAll: boolean): Promise<void> {
    for (let start = 0; start < items.length; start += 25) {
      let request: Record<string, unknown>[] | undefined = items
        .slice(start, start + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; request && request.length > 0 && attempt < 5; attempt++) {
        const batch: Record<string, unknown>[] = request;
        const result = await withRetry(() =>
          this.client.send(new BatchWriteCommand({ RequestItems: { [this.table]: batch as never } })),
        );
        request = result.UnprocessedItems?.[this.table] as Record<string, unknown>[] | undefined;
      }
      if (mustWriteAll && request && request.length > 0)
        throw new SetAsideWriteError(`${request.length} set-aside event(s) were not written`);
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

/** DynamoDB kept refusing part of a set-aside write; the message is retried so no event is lost. */
export class SetAsideWriteError extends Error {
  override readonly name = 'SetAsideWriteError';
}
