import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

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
  const target = new URL(upstream);
  const counts = { transactions: 0, cancelled: 0, refusedWrites: 0, peakTransactions: 0 };
  /** Items named by transactions in progress, with how many transactions name each. */
  const held = new Map<string, number>();
  let inProgress = 0;
  const answer = (outgoing: import('node:http').ServerResponse, type: string, body: object): void => {
    const text = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, ...body });
    outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    outgoing.end(text);
  };
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      let items: string[] = [];
      if (operation === 'TransactWriteItems') {
        counts.transactions++;
        items = transactWrite.parse(JSON.parse(body.toString('utf8'))).TransactItems.map((entry) => {
          const item = entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck;
          if (!item) throw new Error('a transaction item names no operation');
          return identity(item);
        });
        if (items.some((item) => held.has(item))) {
          counts.cancelled++;
          const codes = items.map((item) => (held.has(item) ? 'TransactionConflict' : 'None'));
          answer(outgoing, 'TransactionCanceledException', {
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
      } else if (SINGLE_WRITES.has(operation)) {
        if (held.has(identity(named.parse(JSON.parse(body.toString('utf8')))))) {
          counts.refusedWrites++;
          answer(outgoing, 'TransactionConflictException', {
            message: 'Transaction is ongoing for the item',
          });
          return;
        }
      }
      let released = false;
      const release = (): void => {
        if (released || items.length === 0) return;
        released = true;
        inProgress--;
        for (const item of items) {
          const left = (held.get(item) ?? 1) - 1;
          if (left === 0) held.delete(item);
          else held.set(item, left);
        }
      };
      const forwarded = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
          agent: false,
          timeout: 60_000,
        },
        (upstreamAnswer) => {
          outgoing.writeHead(upstreamAnswer.statusCode ?? 502, upstreamAnswer.headers);
          upstreamAnswer.pipe(outgoing);
          upstreamAnswer.on('end', release);
          upstreamAnswer.on('error', release);
        },
      );
      forwarded.on('error', () => {
        release();
        incoming.socket.destroy();
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
