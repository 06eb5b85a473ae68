import { describe, expect, it } from 'vitest';
import { reconcile, reconciliationCsv } from '../../shared/domain/operations/reconciliation.ts';

const counted = new Map([
  ['2026-11-20', { received: 100, receivedOnline: 40, resolved: 90, resolvedOnTime: 85 }],
  ['2026-11-21', { received: 50, receivedOnline: 20 }],
]);
const reported = [
  { date: '2026-11-20', reportedAt: 1, received: 103, receivedOnline: 40, resolved: 90, resolvedOnTime: 80 },
];

describe('the reconciliation report', () => {
  it('reports each figure’s difference and relative difference exactly, against the tolerance', () => {
    const rows = reconcile('H48', ['2026-11-20'], reported, counted, 0.01);
    expect(rows).toEqual([
      {
        unitCode: 'H48',
        date: '2026-11-20',
        figure: 'received',
        reported: 103,
        counted: 100,
        difference: 3,
        relativeDifference: 3 / 103,
        withinTolerance: false,
      },
      {
        unitCode: 'H48',
        date: '2026-11-20',
        figure: 'receivedOnline',
        reported: 40,
        counted: 40,
        difference: 0,
        relativeDifference: 0,
        withinTolerance: true,
      },
      {
        unitCode: 'H48',
        date: '2026-11-20',
        figure: 'resolved',
        reported: 90,
        counted: 90,
        difference: 0,
        relativeDifference: 0,
        withinTolerance: true,
      },
      {
        unitCode: 'H48',
        date: '2026-11-20',
        figure: 'resolvedOnTime',
        reported: 80,
        counted: 85,
        difference: -5,
        relativeDifference: 5 / 85,
        withinTolerance: false,
      },
    ]);
  });

  it('shows a day with counted dossiers but no report as reported: null, never as zero', () => {
    const rows = reconcile('H48', ['2026-11-21'], reported, counted, 0.01);
    expect(rows[0]).toMatchObject({
      figure: 'received',
      reported: null,
      counted: 50,
      difference: null,
      withinTolerance: null,
    });
  });

  it('writes the report as CSV, leaving not-applicable cells empty', () => {
    const csv = reconciliationCsv(reconcile('H48', ['2026-11-21'], [], counted, 0.01));
    expect(csv.split('\r\n')[0]).toBe(
      'unitCode,date,figure,reported,counted,difference,relativeDifference,withinTolerance',
    );
    expect(csv.split('\r\n')[1]).toBe('H48,2026-11-21,received,,50,,,');
  });
});
