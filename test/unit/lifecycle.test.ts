import { describe, expect, it } from 'vitest';
import reform from '../../docs/examples/provinces-2025-07-01.json' with { type: 'json' };
import { addPredecessorFigures } from '../../shared/domain/evaluation/lineage.ts';
import type { UnitData } from '../../shared/domain/evaluation/ports.ts';
import {
  existsOn,
  LifecycleError,
  mergeUnits,
  nameOn,
  predecessorsOn,
  renameUnit,
  splitUnit,
} from '../../shared/domain/registry/lifecycle.ts';
import { planSteps, reorganisationSchema } from '../../shared/domain/registry/reorganisation.ts';
import { type Unit, unitSchema } from '../../shared/schemas/registry.ts';
import { demoRegistry } from '../../simulator/registry.ts';

const AT = Date.parse('2025-06-20T02:00:00Z');
const registry = (): Unit[] => demoRegistry().map((u) => unitSchema.parse(u));
const apply = (units: Unit[], changed: Unit[]): Unit[] => {
  const byCode = new Map(changed.map((u) => [u.unitCode, u]));
  return units.map((u) => byCode.get(u.unitCode) ?? u);
};

describe('unit lifecycle', () => {
  it('merges units into a successor from a day on, keeping the day before as it was', () => {
    const units = apply(registry(), mergeUnits(registry(), 'H05', ['H02'], '2025-07-01', AT));
    const h02 = units.find((u) => u.unitCode === 'H02') as Unit;
    expect(existsOn(h02, '2025-06-30')).toBe(true);
    expect(existsOn(h02, '2025-07-01')).toBe(false);
    expect(predecessorsOn(units, '2025-06-30').get('H05')).toBeUndefined();
    expect(predecessorsOn(units, '2025-07-01').get('H05')).toEqual([
      { unitCode: 'H02', name: 'Hà Giang', retiredOn: '2025-07-01', filters: [], services: true },
    ]);
    const h05 = units.find((u) => u.unitCode === 'H05') as Unit;
    expect(h05.agencies.map((a) => a.agencyCode)).toEqual(
      expect.arrayContaining(h02.agencies.map((a) => a.agencyCode)),
    );
    expect(h05.history.at(-1)).toMatchObject({
      action: 'absorbed',
      on: '2025-07-01',
      detail: 'absorbed H02',
    });
  });

  it('does a merge once: the same merge again changes nothing, a conflicting one is refused', () => {
    const units = apply(registry(), mergeUnits(registry(), 'H05', ['H02'], '2025-07-01', AT));
    expect(mergeUnits(units, 'H05', ['H02'], '2025-07-01', AT)).toEqual([]);
    expect(() => mergeUnits(units, 'H06', ['H02'], '2025-08-01', AT)).toThrow(LifecycleError);
    expect(() => mergeUnits(units, 'H02', ['H10'], '2025-08-01', AT)).toThrow(/Successor H02 does not exist/);
    expect(() => mergeUnits(units, 'H05', ['H05'], '2025-08-01', AT)).toThrow(/into itself/);
  });

  it('follows chains: a unit merged into one that is merged later counts for the last successor', () => {
    let units = apply(registry(), mergeUnits(registry(), 'H05', ['H02'], '2025-07-01', AT));
    units = apply(units, mergeUnits(units, 'H06', ['H05'], '2026-01-01', AT));
    expect(
      predecessorsOn(units, '2026-01-01')
        .get('H06')
        ?.map((p) => p.unitCode)
        .sort(),
    ).toEqual(['H02', 'H05']);
    expect(
      predecessorsOn(units, '2025-12-31')
        .get('H05')
        ?.map((p) => p.unitCode),
    ).toEqual(['H02']);
  });

  it('splits a unit by agency, the part without a list taking the rest and the online services', () => {
    const base = registry();
    base.push(
      unitSchema.parse({ unitCode: 'H64', name: 'Tỉnh A', kind: 'province', createdOn: '2025-07-01' }),
      unitSchema.parse({ unitCode: 'H65', name: 'Tỉnh B', kind: 'province', createdOn: '2025-07-01' }),
    );
    const given = ['000.00.10.H01'];
    const units = apply(
      [...base],
      splitUnit(base, 'H01', [{ unitCode: 'H64', agencies: given }, { unitCode: 'H65' }], '2025-07-01', AT),
    );
    const parts = predecessorsOn(units, '2025-07-01');
    expect(parts.get('H64')).toEqual([
      expect.objectContaining({ unitCode: 'H01', filters: [{ only: given }], services: false }),
    ]);
    expect(parts.get('H65')).toEqual([
      expect.objectContaining({ unitCode: 'H01', filters: [{ except: given }], services: true }),
    ]);
    expect(units.find((u) => u.unitCode === 'H64')?.agencies.map((a) => a.agencyCode)).toEqual(given);
    expect(() =>
      splitUnit(
        base,
        'H01',
        [
          { unitCode: 'H64', agencies: given },
          { unitCode: 'H65', agencies: [] },
        ],
        '2025-07-01',
        AT,
      ),
    ).toThrow(/exactly one part/);
  });

  it('keeps former names for earlier days', () => {
    const unit = registry().find((u) => u.unitCode === 'H31') as Unit;
    const renamed = renameUnit(unit, 'Thành phố Huế', '2025-01-01', AT);
    expect(nameOn(renamed, '2024-12-31')).toBe('Thừa Thiên Huế');
    expect(nameOn(renamed, '2025-01-01')).toBe('Thành phố Huế');
  });

  it('turns the 63 provinces of the demo registry into 34 with the 1 July 2025 plan, resumably', () => {
    const plan = reorganisationSchema.parse(reform);
    let units = registry();
    const steps = planSteps(plan);
    // Interrupted after half the steps, then run again from the start.
    for (const step of steps.slice(0, 10)) units = apply(units, step.apply(units, AT));
    let rerun = 0;
    for (const step of steps) {
      const changed = step.apply(units, AT);
      if (changed.length > 0) rerun++;
      units = apply(units, changed);
    }
    expect(rerun).toBe(steps.length - 10);
    const provinces = units.filter((u) => u.kind === 'province');
    expect(provinces.filter((u) => existsOn(u, '2025-06-30'))).toHaveLength(63);
    expect(provinces.filter((u) => existsOn(u, '2025-07-01'))).toHaveLength(34);
    const lineage = predecessorsOn(units, '2025-07-01');
    const carried = [...lineage.values()].flat().map((p) => p.unitCode);
    expect(new Set(carried).size).toBe(29);
    expect(
      lineage
        .get('H50')
        ?.map((p) => p.unitCode)
        .sort(),
    ).toEqual(['H47', 'H49']);
    expect(nameOn(units.find((u) => u.unitCode === 'H31') as Unit, '2025-07-01')).toBe('Thành phố Huế');
  });
});

describe('figures carried into a successor', () => {
  const data = (received: number, agency: string): UnitData => ({
    heartbeats: new Map([['tthc', 1]]),
    lastDossierEventAt: 1,
    catalog: undefined,
    dailyTotals: [
      { date: '2025-06-30', reportedAt: 1, received, receivedOnline: 0, resolved: 0, resolvedOnTime: 0 },
    ],
    unitDays: new Map([['2025-06-30', { received }]]),
    unitMonths: new Map([['2025-06', { received }]]),
    agencyDays: new Map([['2025-06-30', new Map([[agency, { received }]])]]),
    agencyMonths: new Map(),
    services: [{ procedureCode: '1.000001', months: { '06': received } }],
  });

  it('adds counters, agencies, services and reported totals, and leaves connection signals alone', () => {
    const target = data(3, 'A');
    const source = { ...data(4, 'B'), heartbeats: new Map([['portal', 9]]) };
    addPredecessorFigures(target, source, true);
    expect(target.unitDays.get('2025-06-30')).toEqual({ received: 7 });
    expect(target.unitMonths.get('2025-06')).toEqual({ received: 7 });
    expect([...(target.agencyDays.get('2025-06-30')?.keys() ?? [])]).toEqual(['A', 'B']);
    expect(target.services).toEqual([{ procedureCode: '1.000001', months: { '06': 7 } }]);
    expect(target.dailyTotals[0]?.received).toBe(7);
    expect([...target.heartbeats.keys()]).toEqual(['tthc']);
  });

  it('gives a partial predecessor its counters only', () => {
    const target = data(3, 'A');
    addPredecessorFigures(target, data(4, 'B'), false);
    expect(target.unitDays.get('2025-06-30')).toEqual({ received: 7 });
    expect(target.services).toEqual([{ procedureCode: '1.000001', months: { '06': 3 } }]);
    expect(target.dailyTotals[0]?.received).toBe(3);
  });
});
