import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { CatalogSummary, UnitReportStorePort } from '../domain/worker/unit-reports.ts';
import type { CatalogPartMessage, DailyTotalsMessage, HeartbeatMessage } from '../schemas/queue.ts';
import { dynamo } from './dynamo-client.ts';
import { queryAll } from './dynamo-query.ts';
import { withRetry } from './dynamo-retry.ts';
import { bucketOf, HISTORY_TTL_SECONDS, keys, sortableTime } from './state-keys.ts';

const CATALOG_PART_TTL_SECONDS = 35 * 86_400;
const procedureSchema = z.object({
  onlineLevel: z.enum(['none', 'partial', 'full']),
  feeBearing: z.boolean(),
});

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Heartbeats, catalogues and self-reported totals. Every write keeps only the newest information (by the
 * server's receive time), so redeliveries and reordering change nothing.
 */
export class DynamoUnitReportStore implements UnitReportStorePort {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = dynamo,
  ) {}

  async recordHeartbeat(message: HeartbeatMessage): Promise<void> {
    await this.newest(
      { pk: keys.heartbeatHistory(message.unitCode, message.systemId), sk: bucketOf(message.receivedAt) },
      'lastSeenAt',
      message.receivedAt,
      { expiresAt: Math.floor(message.receivedAt / 1000) + HISTORY_TTL_SECONDS },
    );
    await this.newest(keys.heartbeat(message.unitCode, message.systemId), 'lastSeenAt', message.receivedAt, {
      sentAt: message.sentAt,
      softwareVersion: message.softwareVersion,
      pendingDossiers: message.pendingDossiers,
    });
  }

  async storeCatalogPart(message: CatalogPartMessage): Promise<CatalogSummary | undefined> {
    const partition = keys.catalogPartsPartition(message.unitCode, message.syncId);
    await withRetry(() =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.catalogPart(message.unitCode, message.syncId, message.part),
            procedures: message.procedures,
            expiresAt: Math.floor(message.receivedAt / 1000) + CATALOG_PART_TTL_SECONDS,
          },
        }),
      ),
    );
    const parts = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ConsistentRead: true,
    });
    if (parts.length < message.parts) return undefined;
    const procedures = parts.flatMap((part) => z.array(procedureSchema).parse(part.procedures));
    const summary: CatalogSummary = {
      procedures: procedures.length,
      online: procedures.filter((p) => p.onlineLevel !== 'none').length,
      fullOnline: procedures.filter((p) => p.onlineLevel === 'full').length,
      feeBearing: procedures.filter((p) => p.feeBearing).length,
    };
    await this.newest(
      { pk: keys.catalogHistory(message.unitCode), sk: sortableTime(message.receivedAt) },
      'syncedAt',
      message.receivedAt,
      {
        syncId: message.syncId,
        ...summary,
        expiresAt: Math.floor(message.receivedAt / 1000) + HISTORY_TTL_SECONDS,
      },
    );
    await this.newest(keys.catalog(message.unitCode), 'syncedAt', message.receivedAt, {
      syncId: message.syncId,
      ...summary,
    });
    return summary;
  }

  async storeDailyTotals(message: DailyTotalsMessage): Promise<void> {
    for (const day of message.days) {
      const { date, ...totals } = day;
      await this.newest(
        { pk: keys.dailyTotalsHistory(message.unitCode), sk: `${date}#${sortableTime(message.receivedAt)}` },
        'reportedAt',
        message.receivedAt,
        { ...totals, expiresAt: Math.floor(message.receivedAt / 1000) + HISTORY_TTL_SECONDS },
      );
      await this.newest(keys.dailyTotals(message.unitCode, date), 'reportedAt', message.receivedAt, totals);
    }
  }

  /** Sets the attributes only if `at` is newer than what the item holds. */
  private async newest(
    key: { pk: string; sk: string },
    timeAttribute: string,
    at: number,
    values: Record<string, unknown>,
  ): Promise<void> {
    const present = Object.entries(values).filter(([, value]) => value !== undefined);
    const names: Record<string, string> = { '#t': timeAttribute };
    const vals: Record<string, unknown> = { ':t': at };
    const sets = ['#t = :t'];
    present.forEach(([name, value], i) => {
      names[`#a${i}`] = name;
      vals[`:a${i}`] = value;
      sets.push(`#a${i} = :a${i}`);
    });
    try {
      await withRetry(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_not_exists(#t) OR #t <= :t',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: vals,
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
