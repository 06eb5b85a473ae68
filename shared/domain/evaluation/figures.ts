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
import {
  type CatalogFigures,
  kpiOptions,
  kpis,
  type ServiceFigures,
  serviceFigures,
  sumCounters,
  sumServiceFigures,
} from './kpis.ts';
import { type Calendar, type MonthToDate, periodCounters } from './periods.ts';
import type { UnitData } from './ports.ts';
import { resolveTargets, targetResults } from './targets.ts';

export const NO_CATALOG: CatalogFigures = { procedures: 0, online: 0, fullOnline: 0 };

/** Online services with at least one online dossier, in the month, the quarter and the year so far. */
export interface ServiceCounts {
  month: ServiceFigures | null;
  quarter: ServiceFigures | null;
  year: ServiceFigures | null;
}

export const NO_SERVICES: ServiceCounts = { month: null, quarter: null, year: null };

/** With no catalogue synced, every procedure with online dossiers is outside it. */
export function serviceCounts(
  data: UnitData,
  cal: Calendar,
  catalog: CatalogFigures | undefined,
): ServiceCounts {
  const mm = cal.month.slice(5, 7);
  const quarter = cal.quarterMonthsBefore.map((m) => m.slice(5, 7)).concat(mm);
  const upTo = (months: string[]) => serviceFigures(data.services, months, catalog ? catalog.levels : {});
  const yearMonths = Array.from({ length: Number(mm) }, (_, i) => String(i + 1).padStart(2, '0'));
  return { month: upTo([mm]), quarter: upTo(quarter), year: upTo(yearMonths) };
}

export function periodKpis(
  counters: Record<Period, CounterValues>,
  catalog: CatalogFigures,
  services: ServiceCounts | undefined,
  config: Settings,
): PeriodKpis {
  // Every period ends today, and a dossier due today is not overdue yet.
  const options = kpiOptions(config, counters.today);
  const servicesFor: Record<Period, ServiceFigures | null> = {
    today: null,
    last7Days: null,
    monthToDate: services?.month ?? null,
    quarterToDate: services?.quarter ?? null,
    yearToDate: services?.year ?? null,
  };
  return Object.fromEntries(
    periods.map((p) => [p, kpis(counters[p], catalog, servicesFor[p], options)]),
  ) as PeriodKpis;
}

/** What a unit's figures are made of, kept so the national and per-kind figures are sums of the same parts. */
export interface UnitFigures {
  periodCounters: Record<Period, CounterValues>;
  catalogFigures: CatalogFigures;
  services: ServiceCounts;
  kpis: PeriodKpis;
}

export function unitFigures(
  data: UnitData,
  catalog: CatalogFigures | undefined,
  cal: Calendar,
  config: Settings,
): UnitFigures {
  const counters = periodCounters(
    { day: (d) => data.unitDays.get(d), month: (m) => data.unitMonths.get(m) },
    cal,
  );
  const catalogFigures = catalog ?? NO_CATALOG;
  const services = serviceCounts(data, cal, catalog);
  return {
    periodCounters: counters,
    catalogFigures,
    services,
    kpis: periodKpis(counters, catalogFigures, services, config),
  };
}

/** The figures of a group of units (the country, a kind): their counters, catalogues and services summed. */
export function groupKpis(entries: readonly UnitFigures[], config: Settings): PeriodKpis {
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
      month: sumServiceFigures(entries.map((e) => e.services.month)),
      quarter: sumServiceFigures(entries.map((e) => e.services.quarter)),
      year: sumServiceFigures(entries.map((e) => e.services.year)),
    },
    config,
  );
}

/**
 * The figures of some days summed over units, without catalogue: the national series and comparisons. Open
 * dossiers are overdue as of today only where the days include today.
 */
export function kpisOverDays(
  datas: readonly UnitData[],
  days: readonly string[],
  config: Settings,
  today: string,
): Kpis {
  const over = (list: readonly string[]): CounterValues =>
    sumCounters(
      datas.flatMap((data) =>
        list.flatMap((day) => {
          const v = data.unitDays.get(day);
          return v ? [v] : [];
        }),
      ),
    );
  return kpis(
    over(days),
    NO_CATALOG,
    null,
    kpiOptions(config, days.includes(today) ? over([today]) : undefined),
  );
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
    dossiersOverdueOpen: k.dossiersOverdueOpen,
    onTimeDenominator: k.onTimeDenominator,
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
    const figures = periodKpis(counters, NO_CATALOG, undefined, config);
    return {
      agencyCode: code,
      name: info?.name ?? null,
      level: info?.level ?? null,
      kpis: figures,
      targets: targetResults(
        figures,
        resolveTargets(config, {
          agency: info?.targets,
          level: info?.level,
          unitByLevel: unit.targetsByLevel,
          unitDefault: unit.targets,
        }),
      ),
    };
  });
}
