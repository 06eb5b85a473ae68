import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CapacityMeter } from './capacity-meter.ts';
import { withRetry } from './dynamo-retry.ts';

type Item = Record<string, unknown>;

/** Every page of a Query, each page retried on throttling; consumed capacity goes to the meter if given. */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  meter?: CapacityMeter,
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await withRetry(() =>
      client.send(
        new QueryCommand({
          ...input,
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: meter ? 'TOTAL' : undefined,
        }),
      ),
    );
    meter?.record(page.ConsumedCapacity ? [page.ConsumedCapacity] : [], 'read');
    items.push(...(page.Items ?? []));
    start = input.Limit === undefined ? page.LastEvaluatedKey : undefined;
  } while (start);
  return items;
}
