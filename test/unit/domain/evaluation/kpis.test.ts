import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import type { CounterValues } from '../../../../shared/domain/dossier/counters.ts';
import {
  kpis,
  ratio,
  serviceFigures,
  sumCounters,
  sumServiceFigures,
} from '../../../../shared/domain/evaluation/kpis.ts';

/** Every counter a different value, so a rate over the wrong denominator cannot come out right by chance. */
const counters: CounterValues = {
  received: 10,
  receivedOnline: 4,
  receivedPostal: 1,
  fromNationalPortal: 2,
  fullOnlineEligible: 5,
  fullOnline: 3,
  feeRequired: 8,
  paidOnline: 2,
  paidOnlineAmountVnd: 150_000,
  resolved: 7,
  resolvedOnline: 3,
  resolvedWithDueDate: 5,
  resolvedOnTime: 4,
  digitized: 2,
  rated: 4,
  satisfied: 3,
  resultByPost: 6,
  resolvedNoDueDate: 1,
  openWithDueDate: 3,
};
const catalog = { procedures: 20, online: 16, fullOnline: 8 };

describe('ratio', () => {
  it('is null for a zero denominator, never 0 and never 1', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(3, 0)).toBeNull();
  });

  it('is the share for a denominator of one and more', () => {
    expect(ratio(0, 1)).toBe(0);
    expect(ratio(1, 1)).toBe(1);
    expect(ratio(1, 4)).toBe(0.25);
  });
});

describe('kpis', () => {
  it('publishes every figure with the numerator and denominator docs/snapshots.md defines', () => {
    expect(kpis(counters, catalog, { withDossiers: 4, outsideCatalog: 1 })).toEqual({
      dossiersReceived: 10,
      dossiersReceivedOnline: 4,
      dossiersReceivedPostal: 1,
      dossiersFromNationalPortal: 2,
      dossiersResultByPost: 6, // a count of received dossiers, in no rate
      onlineRate: 0.4, // 4 online / 10 received
      fullOnlineEligible: 5,
      fullOnlineDossiers: 3,
      fullOnlineRate: 0.6, // 3 full-online / 5 eligible
      dossiersResolved: 7,
      dossiersResolvedOnline: 3,
      processedOnlineRate: 3 / 7, // 3 resolved online / 7 resolved
      dossiersWithDueDate: 5,
      dossiersWithoutDueDate: 2, // 7 resolved − 5 with a due date: outside the on-time rate
      dossiersNoDueDate: 1, // of those 2, 1 explicitly without a deadline
      dossiersOverdueOpen: 3, // open past their due day
      onTimeDenominator: 8, // 5 resolved with a due date + 3 open and overdue
      dossiersOnTime: 4,
      onTimeRate: 0.5, // 4 on time / (5 resolved with a due date + 3 overdue), not / 7 resolved
      dossiersWithFee: 8,
      onlinePayments: 2,
      onlinePaymentAmountVnd: 150_000,
      onlinePaymentRate: 0.25, // 2 paid online / 8 with a fee
      dossiersDigitized: 2,
      digitizedRate: 2 / 7, // 2 digitised / 7 resolved, not / 10 received
      ratings: 4,
      satisfiedRatings: 3,
      satisfactionRate: 0.75, // 3 satisfied / 4 rated
      onlineServicesOffered: 16,
      onlineServicesWithDossiers: 4,
      onlineServicesWithDossiersRate: 0.25, // 4 with dossiers / 16 online services
      proceduresOnlineOutsideCatalog: 1,
      proceduresTotal: 20,
      proceduresOnline: 16,
      proceduresFullOnline: 8,
      proceduresOnlineRate: 0.8, // 16 online / 20 procedures
    });
  });

  it('counts a missing counter as 0 and makes every rate over it not applicable', () => {
    const figures = kpis(
      {},
      { procedures: 0, online: 0, fullOnline: 0 },
      { withDossiers: 0, outsideCatalog: 0 },
    );
    expect(figures).toEqual({
      dossiersReceived: 0,
      dossiersReceivedOnline: 0,
      dossiersReceivedPostal: 0,
      dossiersFromNationalPortal: 0,
      dossiersResultByPost: 0,
      onlineRate: null,
      fullOnlineEligible: 0,
      fullOnlineDossiers: 0,
      fullOnlineRate: null,
      dossiersResolved: 0,
      dossiersResolvedOnline: 0,
      processedOnlineRate: null,
      dossiersWithDueDate: 0,
      dossiersWithoutDueDate: 0,
      dossiersNoDueDate: 0,
      dossiersOverdueOpen: 0,
      onTimeDenominator: 0,
      dossiersOnTime: 0,
      onTimeRate: null,
      dossiersWithFee: 0,
      onlinePayments: 0,
      onlinePaymentAmountVnd: 0,
      onlinePaymentRate: null,
      dossiersDigitized: 0,
      digitizedRate: null,
      ratings: 0,
      satisfiedRatings: 0,
      satisfactionRate: null,
      onlineServicesOffered: 0,
      onlineServicesWithDossiers: 0,
      onlineServicesWithDossiersRate: null,
      proceduresOnlineOutsideCatalog: 0,
      proceduresTotal: 0,
      proceduresOnline: 0,
      proceduresFullOnline: 0,
      proceduresOnlineRate: null,
    });
  });

  it('gives each rate a value of 0, not null, once its denominator is 1 and its numerator 0', () => {
    const one: CounterValues = {
      received: 1,
      fullOnlineEligible: 1,
      resolved: 1,
      resolvedWithDueDate: 1,
      feeRequired: 1,
      rated: 1,
    };
    const figures = kpis(
      one,
      { procedures: 1, online: 1, fullOnline: 0 },
      { withDossiers: 0, outsideCatalog: 0 },
    );
    expect({
      onlineRate: figures.onlineRate,
      fullOnlineRate: figures.fullOnlineRate,
      processedOnlineRate: figures.processedOnlineRate,
      onTimeRate: figures.onTimeRate,
      onlinePaymentRate: figures.onlinePaymentRate,
      digitizedRate: figures.digitizedRate,
      satisfactionRate: figures.satisfactionRate,
      onlineServicesWithDossiersRate: figures.onlineServicesWithDossiersRate,
      proceduresOnlineRate: figures.proceduresOnlineRate,
    }).toEqual({
      onlineRate: 0,
      fullOnlineRate: 0,
      processedOnlineRate: 0,
      onTimeRate: 0,
      onlinePaymentRate: 0,
      digitizedRate: 0,
      satisfactionRate: 0,
      onlineServicesWithDossiersRate: 0,
      proceduresOnlineRate: 1,
    });
  });

  it('keeps the on-time rate null when dossiers were resolved but none had a due date', () => {
    const figures = kpis({ resolved: 3, resolvedWithDueDate: 0 }, catalog, null);
    expect(figures.onTimeRate).toBeNull();
    expect(figures.dossiersWithoutDueDate).toBe(3);
    expect(figures.processedOnlineRate).toBe(0);
  });

  it('keeps the online-payment rate null when dossiers arrived but none carried a fee', () => {
    const figures = kpis({ received: 5, receivedOnline: 5 }, catalog, null);
    expect(figures.onlinePaymentRate).toBeNull();
    expect(figures.onlineRate).toBe(1);
  });

  it('publishes "online services with dossiers" as not applicable when the period has no such count', () => {
    const figures = kpis(counters, catalog, null);
    expect(figures.onlineServicesWithDossiers).toBeNull();
    expect(figures.onlineServicesWithDossiersRate).toBeNull();
  });

  it('counts no online service with dossiers as 0 of those offered, and none offered as not applicable', () => {
    expect(
      kpis(counters, catalog, { withDossiers: 0, outsideCatalog: 0 }).onlineServicesWithDossiersRate,
    ).toBe(0);
    expect(
      kpis(counters, { procedures: 3, online: 0, fullOnline: 0 }, { withDossiers: 0, outsideCatalog: 0 })
        .onlineServicesWithDossiersRate,
    ).toBeNull();
  });
});

describe('the on-time denominator', () => {
  it('is resolved with a due date only, when configured so', () => {
    const figures = kpis(counters, catalog, null, { onTimeDenominator: 'resolved' });
    expect(figures).toMatchObject({ onTimeDenominator: 5, onTimeRate: 0.8, dossiersOverdueOpen: 3 });
  });

  it('leaves out the open dossiers due on the evaluation day: they are not late yet', () => {
    const figures = kpis(counters, catalog, null, {
      onTimeDenominator: 'resolved_and_overdue_open',
      dueTodayOpen: 1,
    });
    expect(figures).toMatchObject({ dossiersOverdueOpen: 2, onTimeDenominator: 7, onTimeRate: 4 / 7 });
  });

  it('defaults to resolved plus open overdue, and the setting says so', () => {
    expect(loadSettings({}).dossier.onTimeDenominator).toBe('resolved_and_overdue_open');
    expect(kpis(counters, catalog, null).onTimeDenominator).toBe(8);
  });
});

describe('serviceFigures', () => {
  const levels = { '1.000001': 'full', '1.000002': 'partial', '1.000003': 'none' } as const;
  const services: { procedureCode: string; months: Record<string, number> }[] = [
    { procedureCode: '1.000001', months: { '11': 2 } },
    { procedureCode: '1.000002', months: { '10': 1 } },
    { procedureCode: '1.000003', months: { '11': 1 } },
    { procedureCode: '1.000009', months: { '11': 3 } },
  ];

  it('matches only the catalogue’s online procedures with a dossier in the months, the rest are data quality', () => {
    expect(serviceFigures(services, ['11'], levels)).toEqual({ withDossiers: 1, outsideCatalog: 2 });
    expect(serviceFigures(services, ['10', '11'], levels)).toEqual({ withDossiers: 2, outsideCatalog: 2 });
    expect(serviceFigures(services, ['09'], levels)).toEqual({ withDossiers: 0, outsideCatalog: 0 });
  });

  it('is unknown without a catalogue that names its procedures', () => {
    expect(serviceFigures(services, ['11'], undefined)).toBeNull();
  });

  it('sums units, unknown only when every unit is', () => {
    expect(sumServiceFigures([null, { withDossiers: 1, outsideCatalog: 2 }])).toEqual({
      withDossiers: 1,
      outsideCatalog: 2,
    });
    expect(sumServiceFigures([null, null])).toBeNull();
  });
});

describe('sumCounters', () => {
  it('adds each counter over the list, and an empty list is all zero', () => {
    expect(sumCounters([{ received: 2, resolved: 1 }, { received: 3 }, {}])).toEqual({
      received: 5,
      resolved: 1,
    });
    expect(sumCounters([])).toEqual({});
  });
});
