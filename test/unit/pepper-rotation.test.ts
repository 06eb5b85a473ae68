import { describe, expect, it } from 'vitest';
import { issueKey, KeyVerifier } from '../../shared/domain/auth/api-keys.ts';
import { CachedPepperSource, type PepperRing, parsePepperRing } from '../../shared/domain/auth/pepper.ts';
import type { KeyLookupPort, StoredKey } from '../../shared/domain/ports.ts';

const V1 = 'first-pepper-0123456789abcdef0123456789abcdef';
const V2 = 'second-pepper-0123456789abcdef0123456789abcdef';
const T0 = Date.parse('2026-11-23T03:30:00Z');
const MAX_AGE = 300_000;
const MIN_REFRESH = 30_000;

class Keys implements KeyLookupPort {
  readonly records = new Map<string, StoredKey>();
  add(record: StoredKey): void {
    this.records.set(record.prefix, record);
  }
  async findByPrefix(prefix: string): Promise<StoredKey | undefined> {
    return this.records.get(prefix);
  }
}

/** The secret as the secret store holds it, and how often it was read. */
class Secret {
  reads = 0;
  constructor(public text: string) {}
  load = async (): Promise<PepperRing> => {
    this.reads++;
    return parsePepperRing(this.text);
  };
}

function setup(initial: string) {
  let now = T0;
  const clock = () => now;
  const secret = new Secret(initial);
  const keys = new Keys();
  const source = new CachedPepperSource(secret.load, MAX_AGE, MIN_REFRESH, clock);
  const verifier = new KeyVerifier(keys, source, 0, clock);
  const issue = (unitCode: string): string => {
    const { key, record } = issueKey(secret.text, unitCode, now);
    keys.add(record);
    return key;
  };
  const accepted = async (key: string): Promise<boolean> =>
    verifier.verify(key).then(
      () => true,
      () => false,
    );
  return {
    secret,
    issue,
    accepted,
    at: (ms: number) => {
      now = T0 + ms;
    },
  };
}

const ring = (current: string, peppers: Record<string, string>): string =>
  JSON.stringify({ current, peppers });

describe('a pepper rotation reaches a warm verifier', () => {
  it('lets both versions verify during the overlap, then refuses the removed one within the bounded age', async () => {
    const t = setup(V1);
    const oldKey = t.issue('H48');
    expect(await t.accepted(oldKey)).toBe(true);

    t.at(60_000);
    t.secret.text = ring('2', { '1': V1, '2': V2 });
    const newKey = t.issue('H48');
    expect(await t.accepted(newKey)).toBe(true);
    expect(await t.accepted(oldKey)).toBe(true);

    t.at(24 * 3_600_000);
    t.secret.text = ring('2', { '2': V2 });
    const readAt = 24 * 3_600_000;
    expect(await t.accepted(oldKey)).toBe(false);
    t.at(readAt + MAX_AGE - 1);
    expect(await t.accepted(newKey)).toBe(true);
    expect(await t.accepted(oldKey)).toBe(false);
  });

  it('keeps a warm ring exactly up to its bound: one millisecond before it the removed version still verifies', async () => {
    const t = setup(ring('1', { '1': V1 }));
    const oldKey = t.issue('H48');
    expect(await t.accepted(oldKey)).toBe(true);
    t.secret.text = ring('2', { '2': V2 });
    t.at(MAX_AGE - 1);
    expect(await t.accepted(oldKey)).toBe(true);
    t.at(MAX_AGE);
    expect(await t.accepted(oldKey)).toBe(false);
  });

  it('a key issued under a version the warm ring lacks works at once, and reads the secret early at most once per interval', async () => {
    const t = setup(ring('1', { '1': V1 }));
    t.issue('H48');
    expect(t.secret.reads).toBe(0);
    await t.accepted(t.issue('H48'));
    expect(t.secret.reads).toBe(1);
    t.secret.text = ring('3', { '1': V1, '3': V2 });
    t.at(1_000);
    const third = t.issue('H48');
    // Read 1 s ago: too recent to read again, so the new version is not seen yet.
    expect(await t.accepted(third)).toBe(false);
    t.at(MIN_REFRESH);
    expect(await t.accepted(third)).toBe(true);
    expect(t.secret.reads).toBe(2);
  });

  it('replacing a plain secret with another plain one also reaches the warm verifier', async () => {
    const t = setup(V1);
    const oldKey = t.issue('H48');
    expect(await t.accepted(oldKey)).toBe(true);
    t.secret.text = V2;
    const newKey = t.issue('H48');
    t.at(MAX_AGE);
    expect(await t.accepted(newKey)).toBe(true);
    expect(await t.accepted(oldKey)).toBe(false);
  });

  it('names the version in each new key record, and reads old records without one as version 1', async () => {
    const t = setup(V1);
    const legacy = t.issue('H48');
    const keys = new Keys();
    const { record } = issueKey(ring('2', { '1': V1, '2': V2 }), 'H48', T0);
    keys.add(record);
    expect(record.pepperVersion).toBe('2');
    const unversioned = issueKey(V1, 'H48', T0);
    const { pepperVersion: _dropped, ...old } = unversioned.record;
    keys.add(old);
    const verifier = new KeyVerifier(keys, ring('2', { '1': V1, '2': V2 }), 0, () => T0);
    await expect(verifier.verify(unversioned.key)).resolves.toMatchObject({ unitCode: 'H48' });
    expect(legacy).toMatch(/^emc_/);
  });

  it.each([
    ['short', 'too-short', 'at least 32 characters'],
    ['not JSON', '{nope', 'not JSON'],
    ['current missing', ring('9', { '1': V1 }), 'current must name one of the peppers'],
    ['a short pepper', ring('1', { '1': 'short' }), 'at least 32'],
  ])('refuses a malformed secret (%s)', (_, text, message) => {
    expect(() => parsePepperRing(text)).toThrow(message);
  });
});
