import { describe, expect, it } from 'vitest';
import { addInto, COUNTERS, isZero } from '../../../../shared/domain/dossier/counters.ts';
import {
  addContributions,
  addDelta,
  cellKey,
  compact,
  emptyDelta,
  fromStored,
  serviceKey,
  toStored,
  type UnitDelta,
} from '../../../../shared/domain/dossier/delta.ts';
import type { Contributions } from '../../../../shared/domain/dossier/state.ts';

const A = '000.00.10.H48';
const B = '000.00.11.H48';

const dossier: Contributions = {
  cells: [
    { agencyCode: A, day: '2026-11-30', values: { received: 1, receivedOnline: 1, feeRequired: 0 } },
    { agencyCode: A, day: '2026-12-01', values: { resolved: 1, resolvedOnline: 1 } },
  ],
  onlineService: { procedureCode: '1.001234', month: '2026-11' },
};

describe('counters', () => {
  it('adds only the named counters that are not zero, with a sign', () => {
    const target = { received: 2 };
    addInto(target, { received: 1, resolved: 0, satisfied: 3 });
    expect(target).toEqual({ received: 3, satisfied: 3 });
    addInto(target, { received: 3 }, -1);
    expect(target).toEqual({ received: 0, satisfied: 3 });
    addInto(target, { ['unknown' as 'received']: 5 } as never);
    expect(target).toEqual({ received: 0, satisfied: 3 });
  });

  it('calls values zero only when every counter is 0 or missing', () => {
    expect(isZero({})).toBe(true);
    expect(isZero({ received: 0, resolved: 0 })).toBe(true);
    expect(isZero({ received: 0, satisfied: 1 })).toBe(false);
    expect(isZero({ paidOnlineAmountVnd: -1 })).toBe(false);
  });

  it('names the twenty-one counters every figure comes from', () => {
    expect(COUNTERS).toHaveLength(21);
    expect(new Set(COUNTERS).size).toBe(21);
  });
});

describe('unit deltas', () => {
  it('keys a cell by day and agency, and a service by month and procedure', () => {
    expect(cellKey('2026-11-30', A)).toBe(`2026-11-30|${A}`);
    expect(serviceKey('2026-11', '1.001234')).toBe('2026-11|1.001234');
  });

  it("adds a dossier's contributions, and the same contributions with sign −1 take them away", () => {
    const delta = emptyDelta();
    addContributions(delta, dossier, 1);
    expect(delta).toEqual({
      cells: new Map([
        [`2026-11-30|${A}`, { received: 1, receivedOnline: 1 }],
        [`2026-12-01|${A}`, { resolved: 1, resolvedOnline: 1 }],
      ]),
      services: new Map([['2026-11|1.001234', 1]]),
    });
    addContributions(delta, dossier, 1);
    expect(delta.cells.get(`2026-11-30|${A}`)).toEqual({ received: 2, receivedOnline: 2 });
    expect(delta.services.get('2026-11|1.001234')).toBe(2);
    addContributions(delta, dossier, -1);
    addContributions(delta, dossier, -1);
    expect(delta.services.get('2026-11|1.001234')).toBe(0);
    expect(compact(delta)).toEqual(emptyDelta());
  });

  it('moves a dossier between agencies as −1 on the old cell and +1 on the new', () => {
    const delta = emptyDelta();
    addContributions(delta, { cells: [{ agencyCode: A, day: '2026-11-30', values: { received: 1 } }] }, -1);
    addContributions(delta, { cells: [{ agencyCode: B, day: '2026-11-30', values: { received: 1 } }] }, 1);
    expect(compact(delta).cells).toEqual(
      new Map([
        [`2026-11-30|${A}`, { received: -1 }],
        [`2026-11-30|${B}`, { received: 1 }],
      ]),
    );
    expect(delta.services.size).toBe(0);
  });

  it('adds one delta into another, cell by cell and service by service', () => {
    const target: UnitDelta = {
      cells: new Map([[`2026-11-30|${A}`, { received: 1 }]]),
      services: new Map([['2026-11|1.001234', 1]]),
    };
    const source: UnitDelta = {
      cells: new Map([
        [`2026-11-30|${A}`, { received: 2, resolved: 1 }],
        [`2026-11-30|${B}`, { received: 1 }],
      ]),
      services: new Map([
        ['2026-11|1.001234', 2],
        ['2026-11|1.000001', 1],
      ]),
    };
    addDelta(target, source);
    expect(target).toEqual({
      cells: new Map([
        [`2026-11-30|${A}`, { received: 3, resolved: 1 }],
        [`2026-11-30|${B}`, { received: 1 }],
      ]),
      services: new Map([
        ['2026-11|1.001234', 3],
        ['2026-11|1.000001', 1],
      ]),
    });
  });

  it('stores only what did not cancel out, and reads back what it stored', () => {
    const delta: UnitDelta = {
      cells: new Map([
        [`2026-11-30|${A}`, { received: 1 }],
        [`2026-11-30|${B}`, { received: 0 }],
      ]),
      services: new Map([
        ['2026-11|1.001234', 0],
        ['2026-11|1.000001', -1],
      ]),
    };
    const stored = toStored(delta);
    expect(stored).toEqual({ c: [[`2026-11-30|${A}`, { received: 1 }]], s: [['2026-11|1.000001', -1]] });
    expect(fromStored(JSON.parse(JSON.stringify(stored)))).toEqual(compact(delta));
  });
});
