import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import { kpiOptions, kpis, serviceFigures } from '../../../../shared/domain/evaluation/kpis.ts';

const catalog = { procedures: 4, online: 2, fullOnline: 1 };

describe('kpiOptions: the on-time denominator the configuration sets, and the open dossiers due today', () => {
  it('takes the evaluation day’s open dossiers with a due date as not overdue yet', () => {
    const config = loadSettings({});
    expect(kpiOptions(config, { openWithDueDate: 2 })).toEqual({
      onTimeDenominator: 'resolved_and_overdue_open',
      dueTodayOpen: 2,
    });
  });

  it('counts none due today when the evaluation day has no counters, or no open dossier with a due date', () => {
    const config = loadSettings({});
    expect(kpiOptions(config).dueTodayOpen).toBe(0);
    expect(kpiOptions(config, { received: 3 }).dueTodayOpen).toBe(0);
  });
});

describe('open overdue dossiers', () => {
  it('are the open dossiers with a due date less those due today: 3 − 2 = 1, 3 − 3 = 0', () => {
    const counters = { resolvedWithDueDate: 4, resolvedOnTime: 4, openWithDueDate: 3 };
    const opts = (dueTodayOpen: number) => ({
      onTimeDenominator: 'resolved_and_overdue_open' as const,
      dueTodayOpen,
    });
    expect(kpis(counters, catalog, null, opts(2))).toMatchObject({
      dossiersOverdueOpen: 1,
      onTimeDenominator: 5,
      onTimeRate: 0.8,
    });
    expect(kpis(counters, catalog, null, opts(3))).toMatchObject({
      dossiersOverdueOpen: 0,
      onTimeDenominator: 4,
      onTimeRate: 1,
    });
  });

  it('are never fewer than none, even when more are said due today than are open', () => {
    const figures = kpis({ resolvedWithDueDate: 2, resolvedOnTime: 1, openWithDueDate: 1 }, catalog, null, {
      onTimeDenominator: 'resolved_and_overdue_open',
      dueTodayOpen: 2,
    });
    expect(figures).toMatchObject({ dossiersOverdueOpen: 0, onTimeDenominator: 2, onTimeRate: 0.5 });
  });

  it('count nothing due today when the options do not say', () => {
    const figures = kpis({ resolvedWithDueDate: 1, openWithDueDate: 1 }, catalog, null, {
      onTimeDenominator: 'resolved_and_overdue_open',
    });
    expect(figures).toMatchObject({ dossiersOverdueOpen: 1, onTimeDenominator: 2 });
  });
});

describe('serviceFigures: a procedure counts for a month only with at least one online dossier in it', () => {
  const levels = { A: 'full', B: 'none' } as const;

  it('counts a month of 1 dossier and not a month of 0, for a listed and for an unlisted procedure', () => {
    expect(
      serviceFigures(
        [
          { procedureCode: 'A', months: { '11': 1 } },
          { procedureCode: 'B', months: { '11': 1 } },
        ],
        ['11'],
        levels,
      ),
    ).toEqual({ withDossiers: 1, outsideCatalog: 1 });
    expect(
      serviceFigures(
        [
          { procedureCode: 'A', months: { '11': 0 } },
          { procedureCode: 'B', months: { '11': 0 } },
        ],
        ['11'],
        levels,
      ),
    ).toEqual({ withDossiers: 0, outsideCatalog: 0 });
  });

  it('counts a procedure once however many of the months have dossiers', () => {
    expect(
      serviceFigures([{ procedureCode: 'A', months: { '10': 2, '11': 3 } }], ['10', '11'], levels),
    ).toEqual({
      withDossiers: 1,
      outsideCatalog: 0,
    });
  });
});
