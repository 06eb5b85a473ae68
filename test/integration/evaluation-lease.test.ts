import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLease } from '../../shared/adapters/dynamo-lease.ts';
import { exclusively } from '../../shared/domain/evaluation/lease.ts';
import { type LocalAws, startLocalAws } from '../helpers/local-aws.ts';

const T0 = Date.parse('2026-12-01T03:00:00Z');
const TIMEOUT = 300_000;
let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws.stop();
});

async function freshLease(): Promise<DynamoLease> {
  const { names, doc } = await aws.tables();
  return new DynamoLease(names.state, 'evaluate-compliance', doc);
}

describe('the evaluation lease in DynamoDB', () => {
  it('lets exactly one of two runs that start together take it', async () => {
    const lease = await freshLease();
    const taken = await Promise.all([
      lease.acquire('run-a', T0, T0 + TIMEOUT),
      lease.acquire('run-b', T0, T0 + TIMEOUT),
    ]);
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a second run one millisecond before the holder’s deadline and lets it in at the deadline', async () => {
    const lease = await freshLease();
    expect(await lease.acquire('run-a', T0, T0 + TIMEOUT)).toBe(true);
    expect(await lease.acquire('run-b', T0 + TIMEOUT - 1, T0 + 2 * TIMEOUT)).toBe(false);
    expect(await lease.acquire('run-b', T0 + TIMEOUT, T0 + 2 * TIMEOUT)).toBe(true);
  });

  it('is free again once its holder releases it, and a former holder cannot release a successor’s lease', async () => {
    const lease = await freshLease();
    expect(await lease.acquire('run-a', T0, T0 + TIMEOUT)).toBe(true);
    await lease.release('run-a');
    expect(await lease.acquire('run-b', T0 + 1, T0 + TIMEOUT)).toBe(true);
    await lease.release('run-a');
    expect(await lease.acquire('run-c', T0 + 2, T0 + TIMEOUT)).toBe(false);
  });

  it('runs an evaluation only while holding the lease, skips one that overlaps, and releases after a failure', async () => {
    const lease = await freshLease();
    const order: string[] = [];
    let finishFirst: () => void = () => undefined;
    const first = exclusively(lease, 'run-a', { now: T0, until: T0 + TIMEOUT }, async () => {
      order.push('a started');
      await new Promise<void>((resolve) => {
        finishFirst = resolve;
      });
      order.push('a finished');
      return 'a';
    });
    await expect.poll(() => order).toEqual(['a started']);
    const overlapping = await exclusively(lease, 'run-b', { now: T0 + 1, until: T0 + TIMEOUT }, async () => {
      order.push('b ran');
      return 'b';
    });
    expect(overlapping).toEqual({ ran: false });
    finishFirst();
    expect(await first).toEqual({ ran: true, value: 'a' });

    const failing = exclusively(lease, 'run-c', { now: T0 + 2, until: T0 + TIMEOUT }, async () => {
      throw new Error('snapshot upload failed');
    });
    await expect(failing).rejects.toThrow('snapshot upload failed');
    expect(await lease.acquire('run-d', T0 + 3, T0 + TIMEOUT)).toBe(true);
    expect(order).toEqual(['a started', 'a finished']);
  });
});
