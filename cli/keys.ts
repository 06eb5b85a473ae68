import type { DynamoKeyStore } from '../shared/adapters/dynamo-key-store.ts';
import type { DynamoRegistry } from '../shared/adapters/dynamo-registry.ts';
import { settings } from '../shared/config/settings.ts';
import { issueKey } from '../shared/domain/auth/api-keys.ts';
import { keyEligibility } from '../shared/domain/auth/key-eligibility.ts';
import type { StoredKey } from '../shared/domain/ports.ts';
import { dayOf } from '../shared/domain/time.ts';
import type { SenderProfileName } from '../shared/schemas/legacy-emc.ts';
import { CliError } from './context.ts';

/** The key stores and the pepper the key commands need; the pepper is read only once a key is to be made. */
export interface KeyDeps {
  store: Pick<DynamoKeyStore, 'put' | 'listForUnit' | 'expire' | 'findByPrefix'>;
  registry: Pick<DynamoRegistry, 'getUnit'>;
  pepper: () => Promise<string>;
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
  const verdict = keyEligibility(unit, dayOf(now, settings().time.utcOffsetMinutes), unitCode);
  if (!verdict.eligible) throw new CliError(verdict.reason);
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

/** `90s`, `30m`, `12h`, `7d`. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) throw new CliError(`${text} is not a duration such as 30m, 12h or 7d.`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
