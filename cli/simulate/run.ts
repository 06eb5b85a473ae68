import { DynamoKeyStore } from '../../shared/adapters/dynamo-key-store.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { loadKeyPepper } from '../../shared/adapters/key-pepper.ts';
import { issueKey } from '../../shared/domain/auth/api-keys.ts';
import { demoRegistry } from '../../simulator/registry.ts';
import { type GroundTruth, type SimulateOptions, simulate } from '../../simulator/simulate.ts';
import type { Target } from '../context.ts';

/** Registers the demo units where missing, issues each a fresh key, and sends the simulated traffic. */
export async function simulateAgainst(
  target: Pick<Target, 'url' | 'tables'>,
  options: Omit<SimulateOptions, 'url' | 'units' | 'keys'>,
): Promise<GroundTruth> {
  const registry = new DynamoRegistry(target.tables.state);
  const units = demoRegistry();
  const registered = new Set((await registry.listUnits()).map((u) => u.unitCode));
  for (const unit of units) if (!registered.has(unit.unitCode)) await registry.putUnit(unit);
  const store = new DynamoKeyStore(target.tables.keys);
  const pepper = await loadKeyPepper();
  const keys = new Map<string, string>();
  for (const unit of units) {
    const { key, record } = issueKey(pepper, unit.unitCode, options.now, unit.sender);
    await store.put(record);
    keys.set(unit.unitCode, key);
  }
  return simulate({ ...options, url: target.url, units, keys });
}
