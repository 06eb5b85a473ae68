import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { CatalogSummary, UnitReportStorePort } from '../domain/worker/unit-reports.ts';
import type { CatalogPartMessage, DailyTotalsMessage, HeartbeatMessage } from '../schemas/queue.ts';
import { dynamo } from './dynamo-client.ts';
import { setIfNewer, setIfNewerWithHistory } from './dynamo-newest.ts';
import { queryAll } from './dynamo-query.ts';
import { withRetry } from './dynamo-retry.ts';
import { bucketOf, HISTORY_TTL_SECONDS, keys, sortableTime } from './state-keys.ts';

const CATALOG_PART_TTL_SECONDS = 35 * 86_400;
const procedureSchema = z.object({
  procedureCode: z.string(),
  onlineLevel: z.enum(['none', 'partial', 'full']),
  feeBearing: z.boolean(),
});

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
    await setIfNewerWithHistory(
      this.client,
      this.table,
      keys.heartbeat(message.unitCode, message.systemId),
      keys.heartbeatHistory(message.unitCode, message.systemId),
      bucketOf,
      HISTORY_TTL_SECONDS,
      'lastSeenAt',
      message.receivedAt,
      {
        sentAt: message.sentAt,
        softwareVersion: message.softwareVersion,
        pendingDossiers: message.pendingDossiers,
      },
    );
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
    // The level of every procedure, so online dossiers can be matched against the online procedures.
    const procedureLevels = Object.fromEntries(procedures.map((p) => [p.procedureCode, p.onlineLevel]));
    // And which carry a fee, for what a legacy sender's records cannot say.
    const feeBearingProcedures = procedures.filter((p) => p.feeBearing).map((p) => p.procedureCode);
    await this.newest(
      { pk: keys.catalogHistory(message.unitCode), sk: sortableTime(message.receivedAt) },
      'syncedAt',
      message.receivedAt,
      {
        syncId: message.syncId,
        ...summary,
        procedureLevels,
        expiresAt: Math.floor(message.receivedAt / 1000) + HISTORY_TTL_SECONDS,
      },
    );
    await this.newest(keys.catalog(message.unitCode), 'syncedAt', message.receivedAt, {
      syncId: message.syncId,
      ...summary,
      procedureLevels,
      feeBearingProcedures,
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

  private async newest(
    key: { pk: string; sk: string },
    timeAttribute: string,
    at: number,
    values: Record<string, unknown>,
  ): Promise<void> {
    await setIfNewer(this.client, this.table, key, timeAttribute, at, values);
  }
}
