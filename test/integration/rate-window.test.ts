import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRateWindow } from '../../shared/adapters/dynamo-rate-window.ts';
import { createTables } from '../../shared/adapters/dynamo-tables.ts';
import { RateLimitedError } from '../../shared/domain/errors.ts';
import { RateLimiter, SharedRateLimiter } from '../../shared/domain/ingest/rate-limit.ts';
import { dynamoClients, type LocalAws, startLocalAws } from '../helpers/local-aws.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
}, 90_000);
afterAll(async () => {
  await aws?.stop();
});

describe('shared rate windows on DynamoDB Local', () => {
  it('admits exactly the limit per second across concurrent instances', async () => {
    const { raw, doc } = dynamoClients(aws.dynamoEndpoint);
    await createTables(raw, { state: 'rate-state', keys: 'rate-keys', rate: 'rate-windows' });
    const windows = new DynamoRateWindow('rate-windows', doc);
    const second = Date.parse('2026-11-23T03:30:00.000Z');
    const clock = () => second + 250;
    const fleet = [1, 2, 3, 4, 5, 6].map(
      () => new SharedRateLimiter(new RateLimiter(1_000, 1_000, clock), windows, 50, 5, clock),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 240 }, (_, i) =>
        (fleet[i % fleet.length] as SharedRateLimiter).take('H48').then(
          () => true,
          (error: unknown) => {
            if (error instanceof RateLimitedError) return false;
            throw error;
          },
        ),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(50);
    expect(await windows.claim('H48', second + 1_000, 5, 50)).toBe(true);
    expect(await windows.claim('H48', second, 1, 50)).toBe(false);
  });
});
