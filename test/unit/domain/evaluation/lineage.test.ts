import { describe, expect, it } from 'vitest';
import type { CounterValues } from '../../../../shared/domain/dossier/counters.ts';
import { addPredecessorFigures, readWithPredecessors } from '../../../../shared/domain/evaluation/lineage.ts';
import type { ReadPlan, UnitData } from '../../../../shared/domain/evaluation/ports.ts';
import { emptyUnitData, InMemoryEvaluationReader } from '../../../fakes/evaluation.ts';

const empty = (): UnitData => emptyUnitData();

const plan: ReadPlan = {
  asOf: Date.parse('2026-11-15T05:00:00Z'),
  unitDays: ['2026-11-14', '2026-11-15'],
  unitMonths: ['2026-10'],
  agencyDays: ['2026-11-15'],
  agencyMonths: ['2026-10', '2026-11'],
  year: '2026',
  totalsFrom: '2026-11-08',
  totalsTo: '2026-11-14',
};

describe('addPredecessorFigures', () => {
  it("adds a whole predecessor's reported totals day by day, keeping the latest report time, in date order", () => {
    const target: UnitData = {
      ...empty(),
      dailyTotals: [
        { date: '2026-11-13', reportedAt: 5, received: 1, receivedOnline: 2, resolved: 3, resolvedOnTime: 4 },
      ],
    };
    const source: UnitData = {
      ...empty(),
      dailyTotals: [
        {
          date: '2026-11-13',
          reportedAt: 9,
          received: 10,
          receivedOnline: 20,
          resolved: 30,
          resolvedOnTime: 40,
        },
        { date: '2026-11-12', reportedAt: 2, received: 1, receivedOnline: 1, resolved: 1, resolvedOnTime: 1 },
      ],
    };
    addPredecessorFigures(target, source, true);
    expect(target.dailyTotals).toEqual([
      { date: '2026-11-12', reportedAt: 2, received: 1, receivedOnline: 1, resolved: 1, resolvedOnTime: 1 },
      {
        date: '2026-11-13',
        reportedAt: 9,
        received: 11,
        receivedOnline: 22,
        resolved: 33,
        resolvedOnTime: 44,
      },
    ]);
    const later: UnitData = {
      ...empty(),
      dailyTotals: [
        { date: '2026-11-12', reportedAt: 1, received: 0, receivedOnline: 0, resolved: 0, resolvedOnTime: 0 },
      ],
    };
    addPredecessorFigures(target, later, true);
    expect(target.dailyTotals[0]?.reportedAt).toBe(2);
  });

  it("adds services per procedure and month, keeping the successor's own", () => {
    const target: UnitData = {
      ...empty(),
      services: [{ procedureCode: '1.000001', months: { '10': 1, '11': 2 } }],
    };
    const source: UnitData = {
      ...empty(),
      services: [
        { procedureCode: '1.000001', months: { '11': 3, '12': 1 } },
        { procedureCode: '1.000002', months: { '09': 4 } },
      ],
    };
    addPredecessorFigures(target, source, true);
    expect(target.services).toEqual([
      { procedureCode: '1.000001', months: { '10': 1, '11': 5, '12': 1 } },
      { procedureCode: '1.000002', months: { '09': 4 } },
    ]);
  });

  it('adds agency months and days into the agencies already there', () => {
    const target: UnitData = {
      ...empty(),
      agencyMonths: new Map([['2026-11', new Map([['A', { received: 1 }]])]]),
    };
    const source: UnitData = {
      ...empty(),
      agencyMonths: new Map<string, Map<string, CounterValues>>([
        [
          '2026-11',
          new Map([
            ['A', { received: 2 }],
            ['B', { received: 5 }],
          ]),
        ],
        ['2026-10', new Map([['B', { resolved: 1 }]])],
      ]),
    };
    addPredecessorFigures(target, source, false);
    expect(target.agencyMonths).toEqual(
      new Map<string, Map<string, CounterValues>>([
        [
          '2026-11',
          new Map([
            ['A', { received: 3 }],
            ['B', { received: 5 }],
          ]),
        ],
        ['2026-10', new Map([['B', { resolved: 1 }]])],
      ]),
    );
  });
});

describe('readWithPredecessors', () => {
  const reader = new InMemoryEvaluationReader()
    .addCounters('H50', '000.00.10.H50', '2026-11-15', { received: 1 })
    .addCounters('H47', '000.00.10.H47', '2026-11-15', { received: 10 })
    .addCounters('H47', '000.00.11.H47', '2026-11-15', { received: 100 })
    .addOnlineDossiers('H47', '1.000001', '2026-11', 7)
    .setSignals('H47', { heartbeats: new Map([['old', 1]]) })
    .setSignals('H50', { heartbeats: new Map([['tthc', 2]]) });

  it("adds a merged predecessor's whole figures and keeps the successor's own signals", async () => {
    const data = await readWithPredecessors(
      reader,
      'H50',
      [{ unitCode: 'H47', name: 'Bình Dương', retiredOn: '2025-07-01', filters: [], services: true }],
      plan,
    );
    expect(data.unitDays.get('2026-11-15')).toEqual({ received: 111 });
    expect(data.services).toEqual([{ procedureCode: '1.000001', months: { '11': 7 } }]);
    expect([...data.heartbeats.keys()]).toEqual(['tthc']);
  });

  it('adds only the agencies a split gives this successor, and the services only when they follow', async () => {
    const data = await readWithPredecessors(
      reader,
      'H50',
      [
        {
          unitCode: 'H47',
          name: 'Bình Dương',
          retiredOn: '2025-07-01',
          filters: [{ only: ['000.00.11.H47'] }],
          services: false,
        },
      ],
      plan,
    );
    expect(data.unitDays.get('2026-11-15')).toEqual({ received: 101 });
    expect(data.services).toEqual([]);
    expect([...(data.agencyDays.get('2026-11-15')?.keys() ?? [])]).toEqual([
      '000.00.10.H50',
      '000.00.11.H47',
    ]);
  });
});
