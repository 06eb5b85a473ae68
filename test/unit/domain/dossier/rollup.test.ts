import { describe, expect, it } from 'vitest';
import type { UnitDelta } from '../../../../shared/domain/dossier/delta.ts';
import { counterTargets, footprint, serviceTargets } from '../../../../shared/domain/dossier/rollup.ts';

const A = '000.00.10.H48';
const B = '000.00.11.H48';

describe('counterTargets: each cell rolls up into its agency and the unit, by day and by month', () => {
  it('turns one cell into four counters', () => {
    const delta: UnitDelta = { cells: new Map([[`2026-11-30|${A}`, { received: 2 }]]), services: new Map() };
    expect(counterTargets(delta)).toEqual([
      { period: '2026-11-30', agencyCode: A, values: { received: 2 } },
      { period: '2026-11-30', agencyCode: undefined, values: { received: 2 } },
      { period: '2026-11', agencyCode: A, values: { received: 2 } },
      { period: '2026-11', agencyCode: undefined, values: { received: 2 } },
    ]);
  });

  it('sums cells of one month into one month counter, and splits at the month boundary', () => {
    const delta: UnitDelta = {
      cells: new Map([
        [`2026-11-29|${A}`, { received: 1 }],
        [`2026-11-30|${B}`, { received: 2, resolved: 1 }],
        [`2026-12-01|${A}`, { received: 4 }],
      ]),
      services: new Map(),
    };
    const byId = new Map(
      counterTargets(delta).map((t) => [`${t.period}|${t.agencyCode ?? 'unit'}`, t.values]),
    );
    expect(Object.fromEntries(byId)).toEqual({
      [`2026-11-29|${A}`]: { received: 1 },
      '2026-11-29|unit': { received: 1 },
      [`2026-11|${A}`]: { received: 1 },
      '2026-11|unit': { received: 3, resolved: 1 },
      [`2026-11-30|${B}`]: { received: 2, resolved: 1 },
      '2026-11-30|unit': { received: 2, resolved: 1 },
      [`2026-11|${B}`]: { received: 2, resolved: 1 },
      [`2026-12-01|${A}`]: { received: 4 },
      '2026-12-01|unit': { received: 4 },
      [`2026-12|${A}`]: { received: 4 },
      '2026-12|unit': { received: 4 },
    });
  });

  it('writes nothing for counters that cancel out, and keeps a negative correction', () => {
    const delta: UnitDelta = {
      cells: new Map([
        [`2026-11-30|${A}`, { received: -1 }],
        [`2026-11-30|${B}`, { received: 1 }],
        [`2026-11-29|${B}`, { received: 0 }],
      ]),
      services: new Map(),
    };
    const targets = counterTargets(delta).map((t) => [t.period, t.agencyCode ?? 'unit', t.values]);
    expect(targets).toEqual([
      ['2026-11-30', A, { received: -1 }],
      ['2026-11', A, { received: -1 }],
      ['2026-11-30', B, { received: 1 }],
      ['2026-11', B, { received: 1 }],
    ]);
  });
});

describe('serviceTargets and footprint', () => {
  it('gives each non-zero service its year and procedure, with the change per month of that year', () => {
    const delta: UnitDelta = {
      cells: new Map(),
      services: new Map([
        ['2026-12|1.001234', 1],
        ['2027-01|1.001234', -2],
        ['2026-11|1.000001', 0],
      ]),
    };
    expect(serviceTargets(delta)).toEqual([
      { year: '2026', procedureCode: '1.001234', months: { '12': 1 } },
      { year: '2027', procedureCode: '1.001234', months: { '01': -2 } },
    ]);
  });

  it('writes one item per year and procedure, however many months of that year the delta touches', () => {
    const delta: UnitDelta = {
      cells: new Map(),
      services: new Map([
        ['2026-11|1.001234', 1],
        ['2026-12|1.001234', 2],
        ['2026-12|1.000001', -1],
      ]),
    };
    expect(serviceTargets(delta)).toEqual([
      { year: '2026', procedureCode: '1.001234', months: { '11': 1, '12': 2 } },
      { year: '2026', procedureCode: '1.000001', months: { '12': -1 } },
    ]);
    expect(footprint(delta)).toBe(2);
  });

  it('counts the items one fold writes: four per cell of a new day and agency, one per service', () => {
    const delta: UnitDelta = {
      cells: new Map([
        [`2026-11-30|${A}`, { received: 1 }],
        [`2026-11-29|${A}`, { received: 1 }],
      ]),
      services: new Map([['2026-11|1.001234', 1]]),
    };
    // Two day counters for the agency, two for the unit, one month counter each: 6, plus the service.
    expect(footprint(delta)).toBe(7);
  });
});
