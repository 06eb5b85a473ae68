import { z } from 'zod';
import { type ProxyActions, startLoopbackProxy } from './loopback-proxy.ts';

/**
 * DynamoDB Local runs one request at a time per table, so two transactions never meet there and it never
 * answers `TransactionConflict`. DynamoDB does, and cancels a transaction that names an item another
 * transaction in progress names; a single-item write to such an item fails with
 * `TransactionConflictException`. This proxy sits in front of DynamoDB Local and applies that rule to the
 * requests that really overlap in time, so a test at the deployed concurrency meets the conflicts AWS would
 * produce, answered in DynamoDB's own wire format.
 */
export interface ConflictProxy {
  url: string;
  counts: {
    transactions: number;
    /** Transactions cancelled because another one in progress named one of their items. */
    cancelled: number;
    /** Single-item writes refused because a transaction in progress named their item. */
    refusedWrites: number;
    /** Most transactions in progress at once. */
    peakTransactions: number;
  };
  close(): Promise<void>;
}

/** Attributes that make up a key in this project's tables (state: pk/sk, keys: prefix, rate: window). */
const KEY_ATTRIBUTES = ['pk', 'sk', 'prefix', 'window'] as const;
const attributes = z.record(z.string(), z.unknown());
const named = z.object({ TableName: z.string(), Key: attributes.optional(), Item: attributes.optional() });
const transactWrite = z.object({
  TransactItems: z.array(
    z.object({
      Put: named.optional(),
      Update: named.optional(),
      Delete: named.optional(),
      ConditionCheck: named.optional(),
    }),
  ),
});

function identity(item: z.infer<typeof named>): string {
  const source = item.Key ?? item.Item ?? {};
  return `${item.TableName}|${KEY_ATTRIBUTES.map((name) => JSON.stringify(source[name] ?? null)).join('|')}`;
}

const SINGLE_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

export async function startConflictProxy(upstream: string): Promise<ConflictProxy> {
  const counts = { transactions: 0, cancelled: 0, refusedWrites: 0, peakTransactions: 0 };
  /** Items named by transactions in progress, with how many transactions name each. */
  const held = new Map<string, number>();
  let inProgress = 0;
  const refuse = (actions: ProxyActions, type: string, body: object): void =>
    actions.answer(
      400,
      'application/x-amz-json-1.0',
      JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, ...body }),
    );
  const proxy = await startLoopbackProxy(upstream, ({ target, body }, actions) => {
    const operation = target.split('.')[1] ?? '';
    if (SINGLE_WRITES.has(operation)) {
      if (held.has(identity(named.parse(JSON.parse(body.toString('utf8')))))) {
        counts.refusedWrites++;
        refuse(actions, 'TransactionConflictException', { message: 'Transaction is ongoing for the item' });
      } else actions.forward();
      return;
    }
    if (operation !== 'TransactWriteItems') {
      actions.forward();
      return;
    }
    counts.transactions++;
    const items = transactWrite.parse(JSON.parse(body.toString('utf8'))).TransactItems.map((entry) => {
      const item = entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck;
      if (!item) throw new Error('a transaction item names no operation');
      return identity(item);
    });
    if (items.some((item) => held.has(item))) {
      counts.cancelled++;
      const codes = items.map((item) => (held.has(item) ? 'TransactionConflict' : 'None'));
      refuse(actions, 'TransactionCanceledException', {
        Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
        CancellationReasons: codes.map((Code) =>
          Code === 'None' ? { Code } : { Code, Message: 'Transaction is ongoing for the item' },
        ),
      });
      return;
    }
    for (const item of items) held.set(item, (held.get(item) ?? 0) + 1);
    inProgress++;
    counts.peakTransactions = Math.max(counts.peakTransactions, inProgress);
    actions.forward({
      onDone() {
        inProgress--;
        for (const item of items) {
          const left = (held.get(item) ?? 1) - 1;
          if (left === 0) held.delete(item);
          else held.set(item, left);
        }
      },
    });
  });
  return { ...proxy, counts };
}
