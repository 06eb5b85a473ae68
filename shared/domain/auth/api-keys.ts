import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SenderProfileName } from '../../schemas/legacy-emc.ts';
import { UnauthorizedError, UnitRetiredError } from '../errors.ts';
import type { Clock, KeyLookupPort, StoredKey } from '../ports.ts';
import { dayOf } from '../time.ts';
import {
  LEGACY_PEPPER_VERSION,
  type PepperRing,
  type PepperSource,
  parsePepperRing,
  staticPepperSource,
} from './pepper.ts';

const KEY_PATTERN = /^emc_([A-Za-z0-9]{12})_([A-Za-z0-9]{40})$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface Principal {
  unitCode: string;
  keyPrefix: string;
  /** The key's sender profile for the legacy feed; absent means `generic`. */
  sender?: SenderProfileName;
}

function randomToken(length: number): string {
  // 62 does not divide 256: reject the top bytes so every character is equally likely.
  const out: string[] = [];
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out.push(ALPHABET.charAt(byte % 62));
    }
  }
  return out.join('');
}

export function hashKey(pepper: string, key: string): string {
  return createHmac('sha256', pepper).update(key).digest('hex');
}

/**
 * A new key and the record to store for it, hashed under the ring's current pepper and naming its version.
 * `pepper` is the ring or the secret's text (`parsePepperRing`). The key itself is returned once and never
 * stored.
 */
export function issueKey(
  pepper: string | PepperRing,
  unitCode: string,
  now: number,
  sender?: SenderProfileName,
): { key: string; record: StoredKey } {
  const ring = typeof pepper === 'string' ? parsePepperRing(pepper) : pepper;
  const secret = ring.peppers[ring.current] ?? '';
  const prefix = randomToken(12);
  const key = `emc_${prefix}_${randomToken(40)}`;
  const record: StoredKey = {
    prefix,
    unitCode,
    hash: hashKey(secret, key),
    pepperVersion: ring.current,
    status: 'active',
    createdAt: now,
  };
  if (sender !== undefined) record.sender = sender;
  return { key, record };
}

/** The lookup prefix of a presented key, or undefined when it is not shaped like one of ours. */
export function keyPrefix(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

/** What happens to data sent under a retired unit code: see docs/operations.md. */
export interface KeyPolicy {
  retiredCodes: 'remap' | 'reject';
  utcOffsetMinutes: number;
  /** `lastUsedAt` is written at most this often per key and process. */
  touchEverySeconds: number;
}

const DEFAULT_POLICY: KeyPolicy = { retiredCodes: 'remap', utcOffsetMinutes: 420, touchEverySeconds: 300 };

interface CacheEntry {
  record: StoredKey;
  expiresAt: number;
}

/**
 * Verifies presented keys. Only the stored record is cached (for `cacheSeconds`, so a revocation takes effect
 * within that time); the HMAC and the constant-time comparison run on every request. The key is hashed under
 * the pepper version its record names, read from a source of bounded age, so a rotation of the secret
 * reaches a warm function: a version removed from the secret stops verifying within that age, and a key
 * naming a version the ring does not have yet makes the source read the secret again first.
 */
export class KeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly unknown = new Map<string, number>();
  private readonly touched = new Map<string, number>();
  private readonly decoyHash = randomBytes(32);
  private readonly peppers: PepperSource;

  constructor(
    private readonly lookup: KeyLookupPort,
    pepper: string | PepperSource,
    private readonly cacheSeconds: number,
    private readonly clock: Clock,
    private readonly policy: KeyPolicy = DEFAULT_POLICY,
  ) {
    this.peppers = typeof pepper === 'string' ? staticPepperSource(parsePepperRing(pepper)) : pepper;
  }

  async verify(presented: string | undefined): Promise<Principal> {
    if (!presented) throw new UnauthorizedError('Send the unit’s API key as "Authorization: Bearer <key>".');
    const prefix = keyPrefix(presented);
    if (!prefix)
      throw new UnauthorizedError('The API key is malformed: keys look like emc_<12 chars>_<40 chars>.');
    const record = await this.record(prefix);
    const version = record?.pepperVersion ?? LEGACY_PEPPER_VERSION;
    let ring = await this.peppers.ring();
    if (record && ring.peppers[version] === undefined) ring = await this.peppers.refresh();
    const pepper = ring.peppers[version];
    // Unknown prefix or retired version: the same work against a decoy, so timing tells nothing.
    const presentedHash = Buffer.from(hashKey(pepper ?? ring.peppers[ring.current] ?? '', presented), 'hex');
    const expected = record && pepper !== undefined ? Buffer.from(record.hash, 'hex') : this.decoyHash;
    const matches = expected.length === presentedHash.length && timingSafeEqual(expected, presentedHash);
    if (!record || pepper === undefined || !matches) throw new UnauthorizedError('The API key is not valid.');
    if (record.status !== 'active') throw new UnauthorizedError('The API key has been revoked.');
    const now = this.clock();
    if (record.expiresAt !== undefined && record.expiresAt <= now) {
      throw new UnauthorizedError(
        `The API key expired at ${new Date(record.expiresAt).toISOString()} after it was rotated; use the unit’s new key.`,
      );
    }
    if (
      record.retired &&
      this.policy.retiredCodes === 'reject' &&
      dayOf(now, this.policy.utcOffsetMinutes) >= record.retired.on
    ) {
      throw new UnitRetiredError(
        `Unit ${record.unitCode} no longer exists since ${record.retired.on}: it became ${record.retired.successors.join(', ') || 'no other unit'}. Send data under the successor's code with its key.`,
      );
    }
    await this.touch(record.prefix, now);
    const principal: Principal = { unitCode: record.unitCode, keyPrefix: record.prefix };
    if (record.sender !== undefined) principal.sender = record.sender;
    return principal;
  }

  private async touch(prefix: string, now: number): Promise<void> {
    const last = this.touched.get(prefix);
    if (!this.lookup.touch || (last !== undefined && now - last < this.policy.touchEverySeconds * 1000))
      return;
    if (this.touched.size > 10_000) this.touched.clear();
    this.touched.set(prefix, now);
    await this.lookup.touch(prefix, now).catch(() => undefined);
  }

  /**
   * Known keys live in an LRU of `KNOWN_KEYS` records; unknown prefixes in a separate, smaller negative
   * cache, so a flood of made-up keys costs one lookup each at most once per `cacheSeconds`, and can never
   * push the known keys out.
   */
  private async record(prefix: string): Promise<StoredKey | undefined> {
    const now = this.clock();
    const cached = this.cache.get(prefix);
    if (cached && cached.expiresAt > now) {
      this.cache.delete(prefix);
      this.cache.set(prefix, cached);
      return cached.record;
    }
    const unknownUntil = this.unknown.get(prefix);
    if (unknownUntil !== undefined && unknownUntil > now) return undefined;
    const record = await this.lookup.findByPrefix(prefix);
    if (this.cacheSeconds > 0) {
      const expiresAt = now + this.cacheSeconds * 1000;
      if (record) {
        this.cache.delete(prefix);
        this.cache.set(prefix, { record, expiresAt });
        evictOldest(this.cache, KNOWN_KEYS);
      } else {
        this.unknown.delete(prefix);
        this.unknown.set(prefix, expiresAt);
        evictOldest(this.unknown, UNKNOWN_KEYS);
      }
    }
    return record;
  }
}

/** Bounds of the two key caches: every unit's keys fit in the first many times over. */
export const KNOWN_KEYS = 10_000;
export const UNKNOWN_KEYS = 5_000;

function evictOldest<V>(map: Map<string, V>, limit: number): void {
  while (map.size > limit) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) return;
    map.delete(oldest);
  }
}
