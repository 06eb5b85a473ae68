import { describe, expect, it } from 'vitest';
import { OperationRefusedError } from '../../../shared/app/errors.ts';
import { addUnit, importUnits, merge, retire, type UnitOps } from '../../../shared/app/units.ts';
import type { UnitInput } from '../../../shared/schemas/registry.ts';
import { InMemoryRegistry } from '../../fakes/evaluation.ts';

const NOW = Date.parse('2026-11-23T03:00:00Z');
const unit = (unitCode: string, name = `Unit ${unitCode}`): UnitInput => ({
  unitCode,
  name,
  kind: 'province',
  createdOn: '2025-01-01',
});

function ops(...units: UnitInput[]): { ops: UnitOps; registry: InMemoryRegistry; retired: unknown[][] } {
  const registry = new InMemoryRegistry(units);
  const retired: unknown[][] = [];
  const keys = {
    async markRetired(unitCode: string, marker: { on: string; successors: string[] }): Promise<number> {
      retired.push([unitCode, marker]);
      return 1;
    },
  };
  return { ops: { registry, keys, now: () => NOW }, registry, retired };
}

describe('the unit use cases', () => {
  it('adds a unit with its first lifecycle entry, and refuses a code already registered', async () => {
    const { ops: o, registry } = ops(unit('H48'));

    const added = await addUnit(o, unit('H49'), '2026-11-24');

    expect(added.history).toEqual([
      { at: '2026-11-23T03:00:00.000Z', action: 'added', on: '2026-11-24', detail: 'added as Unit H49' },
    ]);
    await expect(addUnit(o, unit('H48'), '2026-11-24')).rejects.toThrow(
      new OperationRefusedError('Unit H48 already exists; use "emc units import" to update it.'),
    );
    expect(registry.writes).toEqual([['H49']]);
  });

  it('imports nothing when one row is invalid, naming the row and the field', async () => {
    const { ops: o, registry } = ops(unit('H48'));

    await expect(importUnits(o, [unit('H50'), { ...unit('H51'), kind: 'planet' }])).rejects.toThrow(
      /^Nothing imported:\nrow 1: kind: /,
    );
    expect(registry.writes).toEqual([]);
  });

  it('keeps the lifecycle a re-imported row does not give', async () => {
    const { ops: o, registry } = ops(unit('H48'));
    await retire(o, 'H48', '2026-12-01');

    await importUnits(o, [unit('H48', 'Renamed in the file')]);

    expect(await registry.getUnit('H48')).toMatchObject({
      name: 'Renamed in the file',
      retiredOn: '2026-12-01',
    });
  });

  it("merges in one write and marks every retired unit's keys with its successor", async () => {
    const { ops: o, registry, retired } = ops(unit('H01'), unit('H02'), unit('H05'));

    await merge(o, 'H05', ['H01', 'H02'], '2026-12-01');

    expect(registry.writes).toHaveLength(1);
    expect(retired).toEqual([
      ['H01', { on: '2026-12-01', successors: ['H05'] }],
      ['H02', { on: '2026-12-01', successors: ['H05'] }],
    ]);
  });

  it('refuses a lifecycle change the registry does not allow, writing nothing', async () => {
    const { ops: o, registry, retired } = ops(unit('H05'));

    await expect(merge(o, 'H05', ['H99'], '2026-12-01')).rejects.toBeInstanceOf(OperationRefusedError);
    expect(registry.writes).toEqual([]);
    expect(retired).toEqual([]);
  });
});
