import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { KeyLookupPort, StoredKey } from '../domain/ports.ts';
import { senderProfileSchema } from '../schemas/legacy-emc.ts';
import { dynamo } from './dynamo-client.ts';

const storedKeySchema = z.object({
  prefix: z.string(),
  unitCode: z.string(),
  hash: z.string(),
  pepperVersion: z.string().optional(),
  status: z.enum(['active', 'revoked']),
  createdAt: z.number(),
  lastUsedAt: z.number().optional(),
  expiresAt: z.number().optional(),
  retired: z.object({ on: z.string(), successors: z.array(z.string()) }).optional(),
  sender: senderProfileSchema.optional(),
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

  /** The only write ingest makes here; its IAM policy allows no other attribute. */
  touch(prefix: string, at: number): Promise<void> {
    return this.setTime(prefix, 'lastUsedAt', at, '<');
  }

  /** Lets a key work until `at` and no longer; an earlier expiry is kept. */
  expire(prefix: string, at: number): Promise<void> {
    return this.setTime(prefix, 'expiresAt', at, '>');
  }

  /** Sets a time on an existing key when it is unset or `was` the new one (`<`: only later, `>`: only earlier). */
  private async setTime(
    prefix: string,
    name: 'lastUsedAt' | 'expiresAt',
    at: number,
    was: '<' | '>',
  ): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: { prefix },
          UpdateExpression: `SET ${name} = :at`,
          ConditionExpression: `attribute_exists(prefix) AND (attribute_not_exists(${name}) OR ${name} ${was} :at)`,
          ExpressionAttributeValues: { ':at': at },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      });
  }

  /** Marks every key of a retired unit, so ingest applies the retired-code rule without reading the registry. */
  async markRetired(unitCode: string, retired: { on: string; successors: string[] }): Promise<number> {
    const records = await this.listForUnit(unitCode);
    for (const record of records) {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { prefix: record.prefix },
          UpdateExpression: 'SET retired = :retired',
          ExpressionAttributeValues: { ':retired': retired },
        }),
      );
    }
    return records.length;
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
