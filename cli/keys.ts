import type { DynamoRegistry } from '../shared/adapters/dynamo-registry.ts';
import type { DynamoKeyStore } from '../shared/adapters/key-store.ts';
import { settings } from '../shared/config/settings.ts';
import { issueKey } from '../shared/domain/auth/api-keys.ts';
import { existsOn } from '../shared/domain/registry/lifecycle.ts';
import { dayOf } from '../shared/domain/time.ts';
import { CliError } from './context.ts';

/**
 * Rotation with overlap: a new key now, and every other active key of the unit expires after the overlap,
 * so the unit can deploy the new key before the old one stops working.
 */
export async function rotateKey(
  store: DynamoKeyStore,
  registry: DynamoRegistry,
  unitCode: string,
  overlapMs: number,
  now: number,
): Promise<{ key: string; prefix: string; expiring: { prefix: string; expiresAt: number }[] }> {
  const unit = await registry.getUnit(unitCode);
  if (!unit || !existsOn(unit, dayOf(now, settings().time.utcOffsetMinutes)))
    throw new CliError(
      `Unit ${unitCode} is not registered or no longer exists; keys are issued to existing units.`,
    );
  const { loadKeyPepper } = await import('../shared/adapters/key-pepper.ts');
  const { key, record } = issueKey(await loadKeyPepper(), unitCode, now, unit.sender);
  const previous = (await store.listForUnit(unitCode)).filter(
    (k) => k.status === 'active' && (k.expiresAt === undefined || k.expiresAt > now),
  );
  await store.put(record);
  const until = now + overlapMs;
  const expiring: { prefix: string; expiresAt: number }[] = [];
  for (const old of previous) {
    await store.expire(old.prefix, until);
    // An expiry set by an earlier, shorter rotation is kept: report what is stored, not what was asked.
    const stored = await store.findByPrefix(old.prefix);
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
