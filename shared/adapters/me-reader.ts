import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { MePorts, SetAsideRow } from '../domain/me/describe-unit.ts';
import { type UnitSnapshot, unitSnapshotSchema } from '../schemas/snapshot.ts';
import { CLIENT_DEFAULTS, s3PathStyle } from './client-config.ts';
import { dynamo } from './dynamo-client.ts';
import { DynamoDossierStore } from './dynamo-dossier-store.ts';
import { DynamoFailureLog } from './dynamo-failure-log.ts';
import type { DynamoRefusalLog } from './dynamo-refusal-log.ts';
import { withRetry } from './dynamo-retry.ts';
import { keys } from './state-keys.ts';

const s3 = new S3Client({ ...CLIENT_DEFAULTS, forcePathStyle: s3PathStyle() });

const heartbeatSchema = z.object({ sk: z.string(), lastSeenAt: z.number() });

/**
 * The reads behind GET /v1/me, each scoped to one unit: the unit's published snapshot file, its
 * heartbeat items and its refusal log. Nothing here can list or read another unit's partition by accident:
 * every key is built from the unit code it is given.
 */
export class MeReader implements Pick<MePorts, 'snapshot' | 'heartbeats' | 'refusals' | 'setAside'> {
  constructor(
    private readonly table: string,
    private readonly bucket: string,
    private readonly refusalLog: DynamoRefusalLog,
    private readonly client: DynamoDBDocumentClient = dynamo,
    private readonly objects: S3Client = s3,
  ) {}

  async snapshot(unitCode: string): Promise<UnitSnapshot | undefined> {
    try {
      const object = await this.objects.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: `snapshots/units/${unitCode}.json` }),
      );
      const text = (await object.Body?.transformToString()) ?? '';
      return unitSnapshotSchema.parse(JSON.parse(text));
    } catch (error) {
      if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey'))
        return undefined;
      throw error;
    }
  }

  async heartbeats(unitCode: string): Promise<{ systemId: string; lastSeenAt: number }[]> {
    const result = await withRetry(() =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.heartbeatPartition(unitCode) },
        }),
      ),
    );
    return (result.Items ?? []).map((item) => {
      const parsed = heartbeatSchema.parse(item);
      return { systemId: parsed.sk, lastSeenAt: parsed.lastSeenAt };
    });
  }

  /** The unit's quarantined events and dead letters since `from`, and its voidings in force. */
  async setAside(unitCode: string, from: number): Promise<SetAsideRow[]> {
    const [asides, voids] = await Promise.all([
      new DynamoFailureLog(this.table, this.client).setAsideForUnit(unitCode, from),
      new DynamoDossierStore(this.table, this.client).voidRecords(unitCode),
    ]);
    return [
      ...asides,
      ...voids
        .filter((record) => record.status === 'voided')
        .map((record) => ({ kind: 'voided' as const, reason: record.reason, at: record.at })),
    ];
  }

  refusals(unitCode: string, now: number, days: number): ReturnType<MePorts['refusals']> {
    return this.refusalLog.recent(unitCode, now, days);
  }
}
