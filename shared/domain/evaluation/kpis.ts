import type { Settings } from '../../config/settings.ts';
import type { Kpis } from '../../schemas/snapshot.ts';
import { addInto, type CounterValues } from '../dossier/counters.ts';
import type { OnTimeDenominator } from '../dossier/state.ts';

/** A share with a zero denominator is "not applicable": null, never 0 and never 1. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

export interface CatalogFigures {
  procedures: number;
  online: number;
  fullOnline: number;
  /** Each procedure's online level by code; absent for a catalogue stored before levels were kept. */
  levels?: Readonly<Record<string, 'none' | 'partial' | 'full'>>;
}

/** Procedures that received online dossiers in a period, matched against the catalogue. */
export interface ServiceFigures {
  /** Online procedures of the catalogue (partial or full) with at least one online dossier. */
  withDossiers: number;
  /** Procedures with online dossiers that the catalogue does not list, or lists as offline: a data-quality count. */
  outsideCatalog: number;
}

/**
 * Matches the procedures with online dossiers in any of `months` (`"01"`…`"12"`) against the catalogue.
 * Without a catalogue that names its procedures nothing can be matched, so both figures are unknown.
 */
export function serviceFigures(
  services: readonly { procedureCode: string; months: Readonly<Record<string, number>> }[],
  months: readonly string[],
  levels: CatalogFigures['levels'],
): ServiceFigures | null {
  if (!levels) return null;
  const figures: ServiceFigures = { withDossiers: 0, outsideCatalog: 0 };
  for (const service of services) {
    if (!months.some((m) => (service.months[m] ?? 0) > 0)) continue;
    const level = levels[service.procedureCode];
    if (level === 'partial' || level === 'full') figures.withDossiers++;
    else figures.outsideCatalog++;
  }
  return figures;
}

/** Sums units' service figures; unknown only when every unit's is unknown. */
export function sumServiceFigures(list: readonly (ServiceFigures | null)[]): ServiceFigures | null {
  const known = list.filter((f): f is ServiceFigures => f !== null);
  if (known.length === 0) return null;
  return {
    withDossiers: known.reduce((s, f) => s + f.withDossiers, 0),
    outsideCatalog: known.reduce((s, f) => s + f.outsideCatalog, 0),
  };
}

export function sumCounters(list: readonly CounterValues[]): CounterValues {
  const total: CounterValues = {};
  for (const values of list) addInto(total, values);
  return total;
}

export interface KpiOptions {
  onTimeDenominator: OnTimeDenominator;
  /**
   * Open dossiers in `counters` whose due day is the evaluation day: not overdue yet. Every period that
   * includes the evaluation day passes that day's `openWithDueDate` here.
   */
  dueTodayOpen?: number;
}

export const DEFAULT_KPI_OPTIONS: KpiOptions = { onTimeDenominator: 'resolved_and_overdue_open' };

/** The options the configuration sets, and the evaluation day's open dossiers due that day. */
export function kpiOptions(config: Settings, today?: CounterValues): KpiOptions {
  return { onTimeDenominator: config.dossier.onTimeDenominator, dueTodayOpen: today?.openWithDueDate ?? 0 };
}

/** Every published figure of one period, from its counters, the catalogue and the online services. */
export function kpis(
  counters: CounterValues,
  catalog: CatalogFigures,
  services: ServiceFigures | null,
  options: KpiOptions = DEFAULT_KPI_OPTIONS,
): Kpis {
  const c = (name: keyof CounterValues): number => counters[name] ?? 0;
  const overdueOpen = Math.max(0, c('openWithDueDate') - (options.dueTodayOpen ?? 0));
  const onTimeDenominator =
    c('resolvedWithDueDate') + (options.onTimeDenominator === 'resolved' ? 0 : overdueOpen);
  return {
    dossiersReceived: c('received'),
    dossiersReceivedOnline: c('receivedOnline'),
    dossiersReceivedPostal: c('receivedPostal'),
    dossiersFromNationalPortal: c('fromNationalPortal'),
    dossiersResultByPost: c('resultByPost'),
    onlineRate: ratio(c('receivedOnline'), c('received')),
    fullOnlineEligible: c('fullOnlineEligible'),
    fullOnlineDossiers: c('fullOnline'),
    fullOnlineRate: ratio(c('fullOnline'), c('fullOnlineEligible')),
    dossiersResolved: c('resolved'),
    dossiersResolvedOnline: c('resolvedOnline'),
    processedOnlineRate: ratio(c('resolvedOnline'), c('resolved')),
    dossiersWithDueDate: c('resolvedWithDueDate'),
    dossiersWithoutDueDate: c('resolved') - c('resolvedWithDueDate'),
    dossiersNoDueDate: c('resolvedNoDueDate'),
    dossiersOverdueOpen: overdueOpen,
    onTimeDenominator,
    dossiersOnTime: c('resolvedOnTime'),
    onTimeRate: ratio(c('resolvedOnTime'), onTimeDenominator),
    dossiersWithFee: c('feeRequired'),
    onlinePayments: c('paidOnline'),
    onlinePaymentAmountVnd: c('paidOnlineAmountVnd'),
    onlinePaymentRate: ratio(c('paidOnline'), c('feeRequired')),
    dossiersDigitized: c('digitized'),
    digitizedRate: ratio(c('digitized'), c('resolved')),
    ratings: c('rated'),
    satisfiedRatings: c('satisfied'),
    satisfactionRate: ratio(c('satisfied'), c('rated')),
    onlineServicesOffered: catalog.online,
    onlineServicesWithDossiers: services === null ? null : services.withDossiers,
    onlineServicesWithDossiersRate: services === null ? null : ratio(services.withDossiers, catalog.online),
    proceduresOnlineOutsideCatalog: services === null ? null : services.outsideCatalog,
    proceduresTotal: catalog.procedures,
    proceduresOnline: catalog.online,
    proceduresFullOnline: catalog.fullOnline,
    proceduresOnlineRate: ratio(catalog.online, catalog.procedures),
  };
}
