import type { Settings } from '../../config/settings.ts';
import type { Unit } from '../../schemas/registry.ts';
import {
  type Kpis,
  type NationalDay,
  type Period,
  type PeriodKpis,
  periods,
  type UnitSnapshot,
} from '../../schemas/snapshot.ts';
import type { CounterValues } from '../dossier/counters.ts';
import { type CatalogFigures, kpis, sumCounters, targetResults, targetsFor } from './kpis.ts';
import { type Calendar, type MonthToDate, periodCounters } from './periods.ts';
import type { UnitData } from './ports.ts';

export const NO_CATALOG: CatalogFigures = { procedures: 0, online: 0, fullOnline: 0 };

/** Online services with at least one online dossier, in the month, the quarter and the year so far. */
export interface ServiceCounts {
  month: number;
  quarter: number;
  year: number;
}

export const NO_SERVICES: ServiceCounts = { month: 0, quarter: 0, year: 0 };

export function serviceCounts(data: UnitData, cal: Calendar): ServiceCounts {
  const mm = cal.month.slice(5, 7);
  const quarter = cal.quarterMonthsBefore.map((m) => m.slice(5, 7)).concat(mm);
  const upTo = (months: string[]) =>
    data.services.filter((service) => months.some((m) => (service.months[m] ?? 0) > 0)).length;
  const yearMonths = Array.from({ length: Number(mm) }, (_, i) => String(i + 1).padStart(2, '0'));
  return { month: upTo([mm]), quarter: upTo(quarter), year: upTo(yearMonths) };
}

export function periodKpis(
  counters: Record<Period, CounterValues>,
  catalog: CatalogFigures,
  services: ServiceCounts | undefined,
): PeriodKpis {
  const servicesFor: Record<Period, number | null> = {
    today: null,
    last7Days: null,
    monthToDate: services?.month ?? null,
    quarterToDate: services?.quarter ?? null,
    yearToDate: services?.year ?? null,
  };
  return Object.fromEntries(
    periods.map((p) => [p, kpis(counters[p], catalog, servicesFor[p])]),
  ) as PeriodKpis;
}

/** What a unit's figures are made of, kept so the national and per-kind figures are sums of the same parts. */
export interface UnitFigures {
  periodCounters: Record<Period, CounterValues>;
  catalogFigures: CatalogFigures;
  services: ServiceCounts;
  kpis: PeriodKpis;
}

export function unitFigures(data: UnitData, catalog: CatalogFigures | undefined, cal: Calendar): UnitFigures {
  const counters = periodCounters(
    { day: (d) => data.unitDays.get(d), month: (m) => data.unitMonths.get(m) },
    cal,
  );
  const catalogFigures = catalog ?? NO_CATALOG;
  const services = serviceCounts(data, cal);
  return {
    periodCounters: counters,
    catalogFigures,
    services,
    kpis: periodKpis(counters, catalogFigures, services),
  };
}

/** The figures of a group of units (the country, a kind): their counters, catalogues and services summed. */
export function groupKpis(entries: readonly UnitFigures[]): PeriodKpis {
  const total = (pick: (e: UnitFigures) => number): number => entries.reduce((s, e) => s + pick(e), 0);
  const counters = Object.fromEntries(
    periods.map((p) => [p, sumCounters(entries.map((e) => e.periodCounters[p]))]),
  ) as Record<Period, CounterValues>;
  return periodKpis(
    counters,
    {
      procedures: total((e) => e.catalogFigures.procedures),
      online: total((e) => e.catalogFigures.online),
      fullOnline: total((e) => e.catalogFigures.fullOnline),
    },
    {
      month: total((e) => e.services.month),
      quarter: total((e) => e.services.quarter),
      year: total((e) => e.services.year),
    },
  );
}

/** The figures of some days summed over units, without catalogue: the national series and comparisons. */
export function kpisOverDays(datas: readonly UnitData[], days: readonly string[]): Kpis {
  const values = datas.flatMap((data) =>
    days.flatMap((day) => {
      const v = data.unitDays.get(day);
      return v ? [v] : [];
    }),
  );
  return kpis(sumCounters(values), NO_CATALOG, null);
}

export function nationalDay(date: string, k: Kpis): NationalDay {
  return {
    date,
    dossiersReceived: k.dossiersReceived,
    dossiersReceivedOnline: k.dossiersReceivedOnline,
    onlineRate: k.onlineRate,
    fullOnlineEligible: k.fullOnlineEligible,
    fullOnlineDossiers: k.fullOnlineDossiers,
    fullOnlineRate: k.fullOnlineRate,
    dossiersWithDueDate: k.dossiersWithDueDate,
    dossiersOnTime: k.dossiersOnTime,
    onTimeRate: k.onTimeRate,
  };
}

/** Every agency of a unit, registered or seen in its counters, with its figures and its level's targets. */
export function agencyFigures(
  unit: Unit,
  data: UnitData,
  cal: Calendar,
  config: Settings,
  monthToDate: MonthToDate,
): UnitSnapshot['agencies'] {
  const registered = new Map(unit.agencies.map((a) => [a.agencyCode, a]));
  const agencyCodes = new Set<string>(registered.keys());
  for (const byAgency of [...data.agencyDays.values(), ...data.agencyMonths.values()])
    for (const code of byAgency.keys()) agencyCodes.add(code);
  return [...agencyCodes].sort().map((code) => {
    const info = registered.get(code);
    const counters = periodCounters(
      { day: (d) => data.agencyDays.get(d)?.get(code), month: (m) => data.agencyMonths.get(m)?.get(code) },
      cal,
      monthToDate,
    );
    const figures = periodKpis(counters, NO_CATALOG, undefined);
    return {
      agencyCode: code,
      name: info?.name ?? null,
      level: info?.level ?? null,
      kpis: figures,
      targets: targetResults(figures.yearToDate, targetsFor(config, unit.targets, info?.level)),
    };
  });
}
