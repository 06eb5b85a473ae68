import { describe, expect, it } from 'vitest';
import { OperationRefusedError } from '../../shared/app/errors.ts';
import { issueUnitKey, type KeyDeps, rotateKey } from '../../shared/app/keys.ts';
import type { StoredKey } from '../../shared/domain/ports.ts';
import { type Unit, unitSchema } from '../../shared/schemas/registry.ts';

const PEPPER = 'test-pepper-0123456789abcdef0123456789abcdef';
/** 2026-06-30 10:00 in Vietnam. */
const NOW = Date.parse('2026-06-30T03:00:00Z');

class Fakes implements KeyDeps {
  readonly keys = new Map<string, StoredKey>();
  constructor(private readonly units: Unit[]) {}
  readonly store = {
    put: async (record: StoredKey) => {
      this.keys.set(record.prefix, record);
    },
    listForUnit: async (unitCode: string) => [...this.keys.values()].filter((k) => k.unitCode === unitCode),
    findByPrefix: async (prefix: string) => this.keys.get(prefix),
    expire: async (prefix: string, at: number) => {
      const record = this.keys.get(prefix);
      if (record) record.expiresAt = at;
    },
  };
  readonly registry = { getUnit: async (code: string) => this.units.find((unit) => unit.unitCode === code) };
  readonly pepper = async () => PEPPER;
  readonly utcOffsetMinutes = 420;
}

const unit = (overrides: Partial<Unit>): Unit =>
  unitSchema.parse({ unitCode: 'H48', name: 'Tỉnh Thử', kind: 'province', ...overrides });
const retiring = (on: string): Unit =>
  unit({ status: 'retired', retiredOn: on, successors: [{ unitCode: 'H50' }] });

const issue = (deps: Fakes) => issueUnitKey(deps, 'H48', NOW);
const rotate = (deps: Fakes) => rotateKey(deps, 'H48', 86_400_000, NOW);

describe('one rule decides who may hold a key, for issue and rotate alike', () => {
  it.each([
    ['issue', issue],
    ['rotate', rotate],
  ] as const)('%s: a unit retiring tomorrow gets a key that carries its retirement', async (_, make) => {
    const deps = new Fakes([retiring('2026-07-01')]);
    await make(deps);
    expect([...deps.keys.values()].map((k) => k.retired)).toEqual([
      { on: '2026-07-01', successors: ['H50'] },
    ]);
  });

  it.each([
    ['issue', issue],
    ['rotate', rotate],
  ] as const)('%s: a unit retired today gets no key, and is told its successor', async (_, make) => {
    const deps = new Fakes([retiring('2026-06-30')]);
    await expect(make(deps)).rejects.toThrow(
      'Unit H48 is retired since 2026-06-30; issue keys to its successor (H50).',
    );
    expect(deps.keys.size).toBe(0);
  });

  it.each([
    ['issue', issue],
    ['rotate', rotate],
  ] as const)('%s: an active unit gets a key with no retirement', async (_, make) => {
    const deps = new Fakes([unit({})]);
    await make(deps);
    expect([...deps.keys.values()].map((k) => [k.unitCode, k.status, k.retired])).toEqual([
      ['H48', 'active', undefined],
    ]);
  });

  it.each([
    ['issue', issue],
    ['rotate', rotate],
  ] as const)('%s: an unregistered unit, or one created tomorrow, gets no key', async (_, make) => {
    await expect(make(new Fakes([]))).rejects.toThrow('Unit H48 is not registered');
    await expect(make(new Fakes([]))).rejects.toBeInstanceOf(OperationRefusedError);
    await expect(make(new Fakes([unit({ createdOn: '2026-07-01' })]))).rejects.toThrow(
      'exists only from 2026-07-01',
    );
    const createdToday = new Fakes([unit({ createdOn: '2026-06-30' })]);
    await make(createdToday);
    expect(createdToday.keys.size).toBe(1);
  });

  it('rotate expires the older keys only after making the new one', async () => {
    const deps = new Fakes([unit({})]);
    const first = await issue(deps);
    const rotated = await rotate(deps);
    expect(deps.keys.get(first.record.prefix)?.expiresAt).toBe(NOW + 86_400_000);
    expect(deps.keys.get(rotated.prefix)?.expiresAt).toBeUndefined();
  });
});
