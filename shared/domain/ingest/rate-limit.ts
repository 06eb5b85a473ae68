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
export class RateLimiter implements UnitLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {}

  take(key: string): void {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    // A clock set back (NTP, a restarted demo) refills nothing rather than draining the bucket for good.
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsed / 1000) * this.perSecond);
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

/** What the HTTP wiring needs of a limiter: refuse a unit over its rate with `RateLimitedError`. */
export interface UnitLimiter {
  take(unitCode: string): void | Promise<void>;
}

/**
 * A count per unit and one-second window shared by every instance (in AWS, one DynamoDB item per unit and
 * second, `shared/adapters/dynamo-rate-window.ts`). `claim` adds `tokens` to the window's count only if the
 * total stays within `limit`, atomically, and says whether it did.
 */
export interface RateWindowPort {
  claim(unitCode: string, windowStart: number, tokens: number, limit: number): Promise<boolean>;
}

interface Lease {
  window: number;
  left: number;
  /** The shared window refused this instance: every later request in it is refused without a write. */
  exhausted?: boolean;
}

/**
 * A per-unit limit that holds across instances: each instance claims leases of `leaseSize` requests from
 * the unit's shared one-second window, and spends them locally, so a unit costs at most one write per lease
 * rather than one per request, and the fleet together never admits more than `perSecond` in a window (an
 * instance's unspent lease is simply lost when the window ends). The per-instance token bucket in front
 * still cuts a burst before it costs any write. If the shared store fails, the request is admitted (and
 * `onStoreError` told): a limiter must not turn a store outage into an API outage.
 */
export class SharedRateLimiter implements UnitLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly claiming = new Map<string, Promise<boolean>>();

  constructor(
    private readonly local: RateLimiter,
    private readonly windows: RateWindowPort,
    private readonly perSecond: number,
    private readonly leaseSize: number,
    private readonly clock: Clock,
    private readonly onStoreError: (error: unknown) => void = () => undefined,
  ) {}

  async take(unitCode: string): Promise<void> {
    this.local.take(unitCode);
    for (;;) {
      const now = this.clock();
      const window = now - (now % 1000);
      const lease = this.leases.get(unitCode);
      if (lease?.window === window) {
        if (lease.left > 0) {
          lease.left--;
          return;
        }
        if (lease.exhausted) throw this.refusal(unitCode, window, now);
      }
      // One claim in flight per unit and instance; concurrent requests share the lease it brings.
      const pending = this.claiming.get(unitCode);
      if (pending) {
        await pending;
        continue;
      }
      const claim = this.claim(unitCode, window);
      this.claiming.set(unitCode, claim);
      try {
        if (!(await claim)) return;
      } finally {
        this.claiming.delete(unitCode);
      }
    }
  }

  /** Claims a lease for the window; false when the store failed and the request is admitted anyway. */
  private async claim(unitCode: string, window: number): Promise<boolean> {
    let granted = 0;
    try {
      const size = Math.min(this.leaseSize, this.perSecond);
      if (await this.windows.claim(unitCode, window, size, this.perSecond)) granted = size;
      else if (size > 1 && (await this.windows.claim(unitCode, window, 1, this.perSecond))) granted = 1;
    } catch (error) {
      this.onStoreError(error);
      return false;
    }
    if (this.leases.size > 10_000) this.leases.clear();
    this.leases.set(
      unitCode,
      granted === 0 ? { window, left: 0, exhausted: true } : { window, left: granted },
    );
    return true;
  }

  private refusal(unitCode: string, window: number, now: number): RateLimitedError {
    return new RateLimitedError(
      `Unit ${unitCode} is over ${this.perSecond} requests per second across the service; retry later.`,
      (window + 1000 - now) / 1000,
    );
  }
}
