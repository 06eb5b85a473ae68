import type { Settings } from '../../config/settings.ts';
import type { KpiTargets } from '../../schemas/registry.ts';
import type { Kpis } from '../../schemas/snapshot.ts';
import { addInto, type CounterValues } from '../dossier/counters.ts';

/** A share with a zero denominator is "not applicable": null, never 0 and never 1. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

export interface CatalogFigures {
  procedures: number;
  online: number;
  fullOnline: number;
}

export function sumCounters(list: readonly CounterValues[]): CounterValues {
  const total: CounterValues = {};
  for (const values of list) addInto(total, values);
  return total;
}

/** Every published figure of one period, from its counters, the catalogue and the online-service count. */
export function kpis(
  counters: CounterValues,
  catalog: CatalogFigures,
  servicesWithDossiers: number | null,
): Kpis {
  const c = (name: keyof CounterValues): number => counters[name] ?? 0;
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
    dossiersOnTime: c('resolvedOnTime'),
    onTimeRate: ratio(c('resolvedOnTime'), c('resolvedWithDueDate')),
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
    onlineServicesWithDossiers: servicesWithDossiers,
    onlineServicesWithDossiersRate:
      servicesWithDossiers === null ? null : ratio(servicesWithDossiers, catalog.online),
    proceduresTotal: catalog.procedures,
    proceduresOnline: catalog.online,
    proceduresFullOnline: catalog.fullOnline,
    proceduresOnlineRate: ratio(catalog.online, catalog.procedures),
  };
}

export type TargetResults = Record<string, { target: number; actual: number | null; met: boolean | null }>;

/** Each target against the year-to-date figure; a figure that is not applicable neither meets nor misses. */
export function targetResults(figures: Kpis, targets: KpiTargets): TargetResults {
  const out: TargetResults = {};
  for (const [name, target] of Object.entries(targets)) {
    if (target === undefined) continue;
    const actual = figures[name as keyof Kpis];
    const value = typeof actual === 'number' ? actual : null;
    out[name] = { target, actual: value, met: value === null ? null : value >= target };
  }
  return out;
}

export function targetsFor(
  config: Settings,
  unitTargets: KpiTargets | undefined,
  level?: string,
): KpiTargets {
  const byLevel = level === undefined ? {} : (config.targets.byAgencyLevel[level] ?? {});
  return { ...config.targets.default, ...byLevel, ...(unitTargets ?? {}) };
}
