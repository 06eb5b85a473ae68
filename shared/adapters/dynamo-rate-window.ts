import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateWindowPort } from '../domain/ingest/rate-limit.ts';
import { dynamo } from './dynamo-client.ts';

/** A window's item outlives its second by a minute, then DynamoDB's TTL removes it. */
const KEEP_SECONDS = 60;

/**
 * One item per unit and one-second window (`window` = `<unit>#<epoch second>`), counted with a conditional
 * ADD: the count grows only while it stays within the limit, so concurrent instances can never admit more
 * than the limit together. Each unit's windows are their own items, so no key is hot across units.
 */
export class DynamoRateWindow implements RateWindowPort {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = dynamo,
  ) {}

  async claim(unitCode: string, windowStart: number, tokens: number, limit: number): Promise<boolean> {
    const second = Math.floor(windowStart / 1000);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { window: `${unitCode}#${second}` },
          UpdateExpression: 'ADD #n :tokens SET #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(#n) OR #n <= :room',
          ExpressionAttributeNames: { '#n': 'n', '#ttl': 'expiresAt' },
          ExpressionAttributeValues: {
            ':tokens': tokens,
            ':room': limit - tokens,
            ':ttl': second + KEEP_SECONDS,
          },
          ReturnValues: 'NONE',
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as { name?: string }).name === 'ConditionalCheckFailedException'
      )
        return false;
      throw error;
    }
  }
}
