import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type RunningServer, startDynamoLocal, startS3 } from '../../local/servers.ts';
import { createTables, type TableNames } from '../../shared/adapters/dynamo-tables.ts';

export const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const region = 'ap-southeast-1';

export interface LocalAws {
  dynamoEndpoint: string;
  s3Endpoint: string;
  bucket: string;
  s3: S3Client;
  /** Another client for the same server, for tests that add middleware to it. */
  newS3(): S3Client;
  /** A fresh pair of tables, so each test starts empty. */
  tables(): Promise<{ names: TableNames; raw: DynamoDBClient; doc: DynamoDBDocumentClient }>;
  stop(): Promise<void>;
}

export function dynamoClients(endpoint: string): { raw: DynamoDBClient; doc: DynamoDBDocumentClient } {
  const raw = new DynamoDBClient({ endpoint, region, credentials, maxAttempts: 1 });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { raw, doc };
}

/** DynamoDB Local and s3rver, started by the test itself. */
export async function startLocalAws(): Promise<LocalAws> {
  const dir = mkdtempSync(join(tmpdir(), 'emc-test-'));
  const bucket = 'emc-test';
  const servers: RunningServer[] = [];
  const [dynamo, s3server] = await Promise.all([
    startDynamoLocal(),
    startS3({ directory: dir, buckets: [bucket] }),
  ]);
  servers.push(dynamo, s3server);
  const newS3 = (): S3Client =>
    new S3Client({
      endpoint: s3server.endpoint,
      region,
      credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const s3 = newS3();
  return {
    newS3,
    dynamoEndpoint: dynamo.endpoint,
    s3Endpoint: s3server.endpoint,
    bucket,
    s3,
    async tables() {
      const suffix = randomUUID().slice(0, 8);
      const names = { state: `state-${suffix}`, keys: `keys-${suffix}` };
      const clients = dynamoClients(dynamo.endpoint);
      await createTables(clients.raw, names);
      return { names, ...clients };
    },
    async stop() {
      await Promise.all(servers.map((server) => server.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every item of a table; for assertions only (the product never scans). */
export async function scanAll(client: DynamoDBClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
