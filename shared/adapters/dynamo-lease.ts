import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LeasePort } from '../domain/evaluation/lease.ts';
import { dynamo } from './dynamo-client.ts';

const conditionFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * A lease as one state-table item (`LEASE#<name>`), taken by a conditional put: it succeeds only when no item
 * exists or the holder's `leaseUntil` has passed. `expiresAt` lets TTL remove a lease a day after it ends.
 */
export class DynamoLease implements LeasePort {
  constructor(
    private readonly table: string,
    private readonly name: string,
    private readonly client: DynamoDBDocumentClient = dynamo,
  ) {}

  private get key(): { pk: string; sk: string } {
    return { pk: `LEASE#${this.name}`, sk: 'lease' };
  }

  async acquire(holder: string, now: number, until: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...this.key, holder, leaseUntil: until, expiresAt: Math.ceil(until / 1000) + 86_400 },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil <= :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async release(holder: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key,
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      // Someone else took it over after it expired; theirs is not ours to release.
      if (!conditionFailed(error)) throw error;
    }
  }
}
