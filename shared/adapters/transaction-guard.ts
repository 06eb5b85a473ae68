import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { CapacityMeter } from './capacity-meter.ts';
import { withRetry } from './dynamo-retry.ts';
import { backoffMs, sleep } from './retry.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on the items of one TransactWriteItems request. */
export const MAX_TRANSACTION_ITEMS = 100;

const KEY_ATTRIBUTES = ['pk', 'sk', 'prefix'] as const;

/** A transaction that DynamoDB would refuse as a whole: it names one item twice, or has too many items. */
export class MalformedTransactionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedTransactionError';
  }
}

/** The table and primary key an item of a transaction names, as one comparable string. */
export function itemIdentity(item: TransactItem): string {
  const [table, key] = item.Put
    ? [item.Put.TableName, item.Put.Item]
    : item.Update
      ? [item.Update.TableName, item.Update.Key]
      : item.Delete
        ? [item.Delete.TableName, item.Delete.Key]
        : [item.ConditionCheck?.TableName, item.ConditionCheck?.Key];
  const parts = KEY_ATTRIBUTES.filter((name) => key?.[name] !== undefined).map(
    (name) => `${name}=${String(key?.[name])}`,
  );
  return `${table ?? ''}|${parts.join('|')}`;
}

/**
 * Checks a transaction before it is sent. DynamoDB refuses a transaction that names one item twice with a
 * ValidationException, which no retry mends; failing here names the item, so the defect is found in tests
 * rather than at the first month boundary in production.
 */
export function checkTransaction(items: readonly TransactItem[]): void {
  if (items.length > MAX_TRANSACTION_ITEMS)
    throw new MalformedTransactionError(
      `A transaction has ${items.length} items; DynamoDB takes at most ${MAX_TRANSACTION_ITEMS}.`,
    );
  const seen = new Set<string>();
  for (const item of items) {
    const identity = itemIdentity(item);
    if (seen.has(identity))
      throw new MalformedTransactionError(`A transaction names the item ${identity} twice.`);
    seen.add(identity);
  }
}

/**
 * Runs a checked transaction; returns undefined on success, or the per-item cancellation codes when a
 * condition failed. Conflicts and throttling are retried here.
 */
export async function transact(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
  meter?: CapacityMeter,
): Promise<string[] | undefined> {
  checkTransaction(items);
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await withRetry(() =>
        client.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' })),
      );
      meter?.record(result.ConsumedCapacity, 'write');
      return undefined;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const conditionFailed = codes.includes('ConditionalCheckFailed');
      const transient = codes.some((code) =>
        ['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded'].includes(code),
      );
      if (conditionFailed || !transient || attempt >= 8) {
        if (conditionFailed) return codes;
        throw error;
      }
      await sleep(backoffMs(attempt, 25, 1_000));
    }
  }
}
