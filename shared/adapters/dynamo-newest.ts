import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CapacityMeter } from './capacity-meter.ts';
import { withRetry } from './dynamo-retry.ts';

export type NewestResult = { applied: false } | { applied: true; previous: number | undefined };

/**
 * Sets the attributes only if `at` is at least the time the item holds, so redeliveries and reordering never
 * move it backwards. Returns the time it replaced, which lets a caller keep history only when it matters.
 */
export async function setIfNewer(
  client: DynamoDBDocumentClient,
  table: string,
  key: { pk: string; sk: string },
  timeAttribute: string,
  at: number,
  values: Record<string, unknown> = {},
  meter?: CapacityMeter,
): Promise<NewestResult> {
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
    const result = await withRetry(() =>
      client.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#t) OR #t <= :t',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: vals,
          ReturnValues: 'UPDATED_OLD',
          ReturnConsumedCapacity: meter ? 'TOTAL' : undefined,
        }),
      ),
    );
    meter?.record(result.ConsumedCapacity ? [result.ConsumedCapacity] : [], 'write');
    const previous = result.Attributes?.[timeAttribute];
    return { applied: true, previous: typeof previous === 'number' ? previous : undefined };
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return { applied: false };
    throw error;
  }
}

/**
 * Keeps the newest time on `current` and, when the time moves into a new bucket, records the previous time as
 * the newest of its bucket in `historyPk`: one history write per bucket, not one per update.
 */
export async function setIfNewerWithHistory(
  client: DynamoDBDocumentClient,
  table: string,
  current: { pk: string; sk: string },
  historyPk: string,
  bucketOf: (ms: number) => string,
  ttlSeconds: number,
  timeAttribute: string,
  at: number,
  values: Record<string, unknown> = {},
  meter?: CapacityMeter,
): Promise<void> {
  const result = await setIfNewer(client, table, current, timeAttribute, at, values, meter);
  if (!result.applied || result.previous === undefined || bucketOf(result.previous) === bucketOf(at)) return;
  await setIfNewer(
    client,
    table,
    { pk: historyPk, sk: bucketOf(result.previous) },
    timeAttribute,
    result.previous,
    { expiresAt: Math.floor(result.previous / 1000) + ttlSeconds },
    meter,
  );
}
