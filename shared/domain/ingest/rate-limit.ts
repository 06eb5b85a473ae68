import { RateLimitedError } from '../errors.ts';
import type { Clock } from '../ports.ts';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per unit, held by one process. API Gateway throttles the whole fleet; this keeps one
 * unit from starving the others inside a single function instance or the local gateway.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {}

  take(key: string): void {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      throw new RateLimitedError(
        `Unit ${key} is over ${this.perSecond} requests per second; retry later.`,
        (1 - bucket.tokens) / this.perSecond,
      );
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
  }
}
