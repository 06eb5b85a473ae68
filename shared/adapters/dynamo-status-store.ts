import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Alert, StatusRecord, StatusStorePort } from '../domain/evaluation/ports.ts';
import { connectionStatuses } from '../schemas/snapshot.ts';
import { dynamo } from './dynamo-client.ts';
import { withRetry } from './dynamo-retry.ts';
import { registryKeys } from './state-keys.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const recordSchema = z.object({
  status: z.enum(connectionStatuses),
  reasonCodes: z.array(z.string()),
  since: z.number(),
  version: z.number(),
  lastReminderAt: z.number().optional(),
  history: z.array(
    z.object({ status: z.enum(connectionStatuses), since: z.number(), reasons: z.array(z.string()) }),
  ),
  pending: z
    .object({
      status: z.enum(connectionStatuses),
      reasonCodes: z.array(z.string()),
      since: z.number(),
      count: z.number().int().positive(),
    })
    .optional(),
});
const alertSchema = z.object({
  alertId: z.string(),
  kind: z.enum(['status_change', 'reminder', 'daily_digest', 'weekly_digest', 'alerts_held']),
  unitCode: z.string().nullable(),
  createdAt: z.number(),
  subject: z.string(),
  text: z.string(),
  data: z.unknown(),
});

/** A claimed alert whose sender vanished is claimable again after this long. */
const CLAIM_TIMEOUT_MS = 5 * 60_000;

function cancelledByCondition(error: unknown): boolean {
  return (
    (error instanceof TransactionCanceledException &&
      (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed')) ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * Connection status per unit and the alert outbox. A status change and its alert are one transaction
 * conditional on the version read, so two racing evaluations produce exactly one alert per change.
 */
export class DynamoStatusStore implements StatusStorePort {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = dynamo,
  ) {}

  async get(unitCode: string): Promise<StatusRecord | undefined> {
    const result = await withRetry(() =>
      this.client.send(
        new GetCommand({ TableName: this.table, Key: registryKeys.status(unitCode), ConsistentRead: true }),
      ),
    );
    if (!result.Item) return undefined;
    const parsed = recordSchema.parse(JSON.parse(String(result.Item.record)));
    return { ...parsed, lastReminderAt: parsed.lastReminderAt };
  }

  async transition(
    unitCode: string,
    expectedVersion: number,
    next: StatusRecord,
    alert: Alert | undefined,
    holdId?: string,
  ): Promise<boolean> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.table,
          Item: { ...registryKeys.status(unitCode), v: next.version, record: JSON.stringify(next) },
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
        },
      },
    ];
    if (alert) items.push(holdId ? this.heldPut(holdId, alert) : this.outboxPut(alert));
    return this.conditional(() => this.client.send(new TransactWriteCommand({ TransactItems: items })));
  }

  async heldAlerts(): Promise<{ holdId: string; alert: Alert }[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await withRetry(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': registryKeys.heldPartition },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.map((item) => ({
      holdId: z.string().parse(item.holdId),
      alert: alertSchema.parse(JSON.parse(String(item.alert))) as Alert,
    }));
  }

  async settleHold(holdId: string, action: 'release' | 'drop'): Promise<number> {
    const held = (await this.heldAlerts()).filter((entry) => entry.holdId === holdId);
    for (const { alert } of held) {
      const remove: TransactItem = {
        Delete: { TableName: this.table, Key: registryKeys.held(holdId, alert.alertId) },
      };
      // A release moves the alert to the outbox and out of the hold in one transaction: never both, never lost.
      const items = action === 'release' ? [this.outboxPut(alert), remove] : [remove];
      await this.conditional(() => this.client.send(new TransactWriteCommand({ TransactItems: items })));
    }
    return held.length;
  }

  async claimReminder(
    unitCode: string,
    expectedVersion: number,
    previousReminderAt: number | undefined,
    at: number,
    alert: Alert,
  ): Promise<boolean> {
    const current = await this.get(unitCode);
    if (!current || current.version !== expectedVersion || current.lastReminderAt !== previousReminderAt)
      return false;
    const next: StatusRecord = { ...current, version: current.version + 1, lastReminderAt: at };
    return this.transition(unitCode, expectedVersion, next, alert);
  }

  async claimDigest(kind: 'daily' | 'weekly' | 'hold', period: string, alert: Alert): Promise<boolean> {
    return this.conditional(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...registryKeys.digest(kind, period), alertId: alert.alertId },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            this.outboxPut(alert),
          ],
        }),
      ),
    );
  }

  async pendingAlerts(): Promise<Alert[]> {
    const result = await withRetry(() =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': registryKeys.outboxPartition },
          ConsistentRead: true,
        }),
      ),
    );
    return (result.Items ?? []).map((item) => alertSchema.parse(JSON.parse(String(item.alert))) as Alert);
  }

  async claimAlert(alertId: string, at: number): Promise<boolean> {
    return this.conditional(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: registryKeys.outbox(alertId),
          UpdateExpression: 'SET claimedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)',
          ExpressionAttributeValues: { ':at': at, ':stale': at - CLAIM_TIMEOUT_MS },
        }),
      ),
    );
  }

  async markSent(alertId: string): Promise<void> {
    await withRetry(() =>
      this.client.send(new DeleteCommand({ TableName: this.table, Key: registryKeys.outbox(alertId) })),
    );
  }

  private outboxPut(alert: Alert): TransactItem {
    return {
      Put: {
        TableName: this.table,
        Item: { ...registryKeys.outbox(alert.alertId), alert: JSON.stringify(alert) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private heldPut(holdId: string, alert: Alert): TransactItem {
    return {
      Put: {
        TableName: this.table,
        Item: { ...registryKeys.held(holdId, alert.alertId), holdId, alert: JSON.stringify(alert) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private async conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await withRetry(write);
      return true;
    } catch (error) {
      if (cancelledByCondition(error)) return false;
      throw error;
    }
  }
}
