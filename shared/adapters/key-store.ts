import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { KeyLookupPort, StoredKey } from '../domain/ports.ts';
import { dynamo } from './dynamo-client.ts';

const storedKeySchema = z.object({
  prefix: z.string(),
  unitCode: z.string(),
  hash: z.string(),
  status: z.enum(['active', 'revoked']),
  createdAt: z.number(),
  lastUsedAt: z.number().optional(),
});

/**
 * API-key records, keyed by their public prefix. Ingest may only GetItem here; issuing, listing and revoking
 * are operator actions through the CLI.
 */
export class DynamoKeyStore implements KeyLookupPort {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = dynamo,
  ) {}

  async findByPrefix(prefix: string): Promise<StoredKey | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.table, Key: { prefix } }));
    return result.Item ? storedKeySchema.parse(result.Item) : undefined;
  }

  async put(record: StoredKey): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: record,
        ConditionExpression: 'attribute_not_exists(prefix)',
      }),
    );
  }

  async revoke(prefix: string): Promise<StoredKey | undefined> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { prefix },
          UpdateExpression: 'SET #status = :revoked',
          ConditionExpression: 'attribute_exists(prefix)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':revoked': 'revoked' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return storedKeySchema.parse(result.Attributes);
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  async listForUnit(unitCode: string): Promise<StoredKey[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byUnit',
        KeyConditionExpression: 'unitCode = :unit',
        ExpressionAttributeValues: { ':unit': unitCode },
      }),
    );
    return (result.Items ?? []).map((item) => storedKeySchema.parse(item));
  }
}
