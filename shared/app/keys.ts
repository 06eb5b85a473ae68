import { issueKey } from '../domain/auth/api-keys.ts';
import { keyEligibility } from '../domain/auth/key-eligibility.ts';
import type { StoredKey } from '../domain/ports.ts';
import { dayOf } from '../domain/time.ts';
import type { SenderProfileName } from '../schemas/legacy-emc.ts';
import type { Unit } from '../schemas/registry.ts';
import { OperationRefusedError } from './errors.ts';

/** Where keys are kept (`shared/adapters/dynamo-key-store.ts`). */
export interface KeyStorePort {
  put(key: StoredKey): Promise<void>;
  listForUnit(unitCode: string): Promise<StoredKey[]>;
  /** Sets an expiry, keeping an earlier one. */
  expire(prefix: string, at: number): Promise<void>;
  findByPrefix(prefix: string): Promise<StoredKey | undefined>;
}

/**
 * The key store, the registry and the pepper the key use cases need; the pepper is read only once a key is
 * to be made. `utcOffsetMinutes` decides the day a unit must exist on.
 */
export interface KeyDeps {
  store: KeyStorePort;
  registry: { getUnit(unitCode: string): Promise<Unit | undefined> };
  pepper: () => Promise<string>;
  utcOffsetMinutes: number;
}

/**
 * A new key for a unit that may hold one (`keyEligibility`, the rule `issue` and `rotate` share), carrying
 * the unit's scheduled retirement if it has one. Returns the key, shown once, and the record stored.
 */
export async function issueUnitKey(
  deps: KeyDeps,
  unitCode: string,
  now: number,
  sender?: SenderProfileName,
): Promise<{ key: string; record: StoredKey }> {
  const unit = await deps.registry.getUnit(unitCode);
  const verdict = keyEligibility(unit, dayOf(now, deps.utcOffsetMinutes), unitCode);
  if (!verdict.eligible) throw new OperationRefusedError(verdict.reason);
  const { key, record } = issueKey(await deps.pepper(), unitCode, now, sender ?? unit?.sender);
  const stored: StoredKey = verdict.retired ? { ...record, retired: verdict.retired } : record;
  await deps.store.put(stored);
  return { key, record: stored };
}

/**
 * Rotation with overlap: a new key now, and every other active key of the unit expires after the overlap,
 * so the unit can deploy the new key before the old one stops working.
 */
export async function rotateKey(
  deps: KeyDeps,
  unitCode: string,
  overlapMs: number,
  now: number,
): Promise<{ key: string; prefix: string; expiring: { prefix: string; expiresAt: number }[] }> {
  const previous = (await deps.store.listForUnit(unitCode)).filter(
    (k) => k.status === 'active' && (k.expiresAt === undefined || k.expiresAt > now),
  );
  const { key, record } = await issueUnitKey(deps, unitCode, now);
  const until = now + overlapMs;
  const expiring: { prefix: string; expiresAt: number }[] = [];
  for (const old of previous) {
    await deps.store.expire(old.prefix, until);
    // An expiry set by an earlier, shorter rotation is kept: report what is stored, not what was asked.
    const stored = await deps.store.findByPrefix(old.prefix);
    expiring.push({ prefix: old.prefix, expiresAt: Math.min(stored?.expiresAt ?? until, until) });
  }
  return { key, prefix: record.prefix, expiring };
}
