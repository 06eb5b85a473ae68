import { describe, expect, it } from 'vitest';
import { issueKey, KeyVerifier, UNKNOWN_KEYS } from '../../shared/domain/auth/api-keys.ts';
import { RateLimitedError } from '../../shared/domain/errors.ts';
import {
  RateLimiter,
  type RateWindowPort,
  SharedRateLimiter,
} from '../../shared/domain/ingest/rate-limit.ts';
import type { KeyLookupPort, StoredKey } from '../../shared/domain/ports.ts';

const T0 = Date.parse('2026-11-23T03:30:00Z');

/** The shared store: one count per unit and window, claimed atomically like the conditional ADD. */
class MemoryWindows implements RateWindowPort {
  readonly counts = new Map<string, number>();
  writes = 0;
  failing = false;
  async claim(unitCode: string, windowStart: number, tokens: number, limit: number): Promise<boolean> {
    this.writes++;
    if (this.failing) throw new Error('store unavailable');
    const key = `${unitCode}#${windowStart}`;
    const count = this.counts.get(key) ?? 0;
    if (count + tokens > limit) return false;
    this.counts.set(key, count + tokens);
    return true;
  }
}

function instance(windows: RateWindowPort, clock: () => number, errors: unknown[] = []): SharedRateLimiter {
  return new SharedRateLimiter(new RateLimiter(1_000, 1_000, clock), windows, 50, 5, clock, (e) =>
    errors.push(e),
  );
}

async function admitted(limiter: SharedRateLimiter, unit: string): Promise<boolean> {
  try {
    await limiter.take(unit);
    return true;
  } catch (error) {
    if (error instanceof RateLimitedError) return false;
    throw error;
  }
}

describe('a per-unit limit that holds across instances', () => {
  it('admits 50 requests a second for a unit across four instances, not 50 per instance', async () => {
    let now = T0;
    const windows = new MemoryWindows();
    const fleet = [1, 2, 3, 4].map(() => instance(windows, () => now));
    let yes = 0;
    for (let i = 0; i < 400; i++) if (await admitted(fleet[i % 4] as SharedRateLimiter, 'H48')) yes++;
    expect(yes).toBe(50);
    expect(windows.writes).toBeLessThan(400 / 4);
    now = T0 + 1_000;
    expect(await admitted(fleet[0] as SharedRateLimiter, 'H48')).toBe(true);
    expect(await admitted(fleet[0] as SharedRateLimiter, 'G12')).toBe(true);
  });

  it('admits the 50th request of a second and refuses the 51st, with Retry-After to the next second', async () => {
    const now = T0 + 400;
    const limiter = instance(new MemoryWindows(), () => now);
    for (let i = 0; i < 50; i++) expect(await admitted(limiter, 'H48')).toBe(true);
    const refused = await limiter.take('H48').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBe(1);
  });

  it('costs one write per lease of five, not one per request', async () => {
    const windows = new MemoryWindows();
    const limiter = instance(windows, () => T0);
    for (let i = 0; i < 25; i++) await limiter.take('H48');
    expect(windows.writes).toBe(5);
  });

  it('admits when the shared store fails, and says so', async () => {
    const windows = new MemoryWindows();
    windows.failing = true;
    const errors: unknown[] = [];
    const limiter = instance(windows, () => T0, errors);
    expect(await admitted(limiter, 'H48')).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('still cuts a burst in the instance before it costs a write', async () => {
    const windows = new MemoryWindows();
    const limiter = new SharedRateLimiter(new RateLimiter(2, 2, () => T0), windows, 50, 5, () => T0);
    expect(await admitted(limiter, 'H48')).toBe(true);
    expect(await admitted(limiter, 'H48')).toBe(true);
    expect(await admitted(limiter, 'H48')).toBe(false);
    expect(windows.writes).toBe(1);
  });
});

class CountingKeys implements KeyLookupPort {
  readonly records = new Map<string, StoredKey>();
  readonly lookups = new Map<string, number>();
  async findByPrefix(prefix: string): Promise<StoredKey | undefined> {
    this.lookups.set(prefix, (this.lookups.get(prefix) ?? 0) + 1);
    return this.records.get(prefix);
  }
}

const PEPPER = 'test-pepper-0123456789abcdef0123456789abcdef';
const fakeKey = (i: number): string => `emc_${String(i).padStart(12, 'x')}_${'a'.repeat(40)}`;

describe('the per-instance bucket', () => {
  it('keeps admitting after the clock is set back, refilling nothing for the lost time', () => {
    let now = Date.parse('2027-03-31T17:00:00Z');
    const limiter = new RateLimiter(50, 2, () => now);
    limiter.take('H48');
    limiter.take('H48');
    expect(() => limiter.take('H48')).toThrow(RateLimitedError);
    now = Date.parse('2026-12-31T16:55:00Z');
    expect(() => limiter.take('H48')).toThrow(RateLimitedError);
    now += 20;
    expect(() => limiter.take('H48')).not.toThrow();
  });
});

describe('unknown keys have their own bounded cache', () => {
  it('a flood of unknown keys never pushes a known key out, and a repeated unknown key costs one lookup', async () => {
    const keys = new CountingKeys();
    const { key, record } = issueKey(PEPPER, 'H48', T0);
    keys.records.set(record.prefix, record);
    const verifier = new KeyVerifier(keys, PEPPER, 30, () => T0);
    await verifier.verify(key);
    for (let i = 0; i < UNKNOWN_KEYS * 3; i++) await verifier.verify(fakeKey(i)).catch(() => undefined);
    await verifier.verify(key);
    expect(keys.lookups.get(record.prefix)).toBe(1);
    const last = fakeKey(UNKNOWN_KEYS * 3 - 1);
    await verifier.verify(last).catch(() => undefined);
    expect(keys.lookups.get(last.slice(4, 16))).toBe(1);
    const first = fakeKey(0);
    await verifier.verify(first).catch(() => undefined);
    expect(keys.lookups.get(first.slice(4, 16))).toBe(2);
  });
});
