import type { Unit } from '../../schemas/registry.ts';
import { addDays } from '../time.ts';
import type { ConnectionInput, Criteria } from './compliance.ts';
import { legacyInput } from './legacy-compliance.ts';
import type { Calendar } from './periods.ts';
import type { StatusRecord, UnitData } from './ports.ts';
import type { ReportedDay } from './reconciliation-rule.ts';

/** The connection signals of a unit as they stood at `at`: nothing received later is seen. */
export interface ConnectionSignals {
  heartbeats: Map<string, number>;
  lastDossierEventAt: number | undefined;
  catalog: UnitData['catalog'];
}

export function signalsAt(data: UnitData, at: number): ConnectionSignals {
  return {
    heartbeats: new Map([...data.heartbeats].filter(([, seen]) => seen <= at)),
    lastDossierEventAt:
      data.lastDossierEventAt !== undefined && data.lastDossierEventAt <= at
        ? data.lastDossierEventAt
        : undefined,
    catalog: data.catalog && data.catalog.syncedAt <= at ? data.catalog : undefined,
  };
}

const FIGURES = ['received', 'receivedOnline', 'resolved', 'resolvedOnTime'] as const;

/** Each day the unit reported totals for (by `at`), each figure beside what was counted for that day. */
export function reportedDays(data: UnitData, at: number): ReportedDay[] {
  return data.dailyTotals
    .filter((day) => day.reportedAt <= at)
    .map((day) => {
      const counted = data.unitDays.get(day.date) ?? {};
      return {
        date: day.date,
        figures: Object.fromEntries(
          FIGURES.map((name) => [name, { reported: day[name], counted: counted[name] ?? 0 }]),
        ),
      };
    });
}

/** The reconciliation lookback's days (up to yesterday) on which dossiers were received or resolved. */
export function activeDays(data: UnitData, cal: Calendar, lookbackDays: number): string[] {
  return Array.from({ length: lookbackDays }, (_, i) => addDays(cal.today, i - lookbackDays)).filter(
    (day) => {
      const counted = data.unitDays.get(day);
      return (counted?.received ?? 0) > 0 || (counted?.resolved ?? 0) > 0;
    },
  );
}

/**
 * Dossiers received over the last `windowDays` of the series, and the unit's mean for a window of that
 * length over the series days before it (0 when there are none).
 */
export function flowOf(
  data: UnitData,
  cal: Calendar,
  windowDays: number,
): NonNullable<ConnectionInput['flow']> {
  const received = (days: readonly string[]) =>
    days.reduce((sum, day) => sum + (data.unitDays.get(day)?.received ?? 0), 0);
  const recent = cal.seriesDays.slice(-windowDays);
  const before = cal.seriesDays.slice(0, -windowDays);
  return {
    recent: received(recent),
    historicalMean: before.length === 0 ? 0 : (received(before) * windowDays) / before.length,
  };
}

/** Everything the connection rules judge a unit on, from what was read for it. */
export function connectionInput(
  unit: Unit,
  data: UnitData,
  signals: ConnectionSignals,
  previous: StatusRecord | undefined,
  cal: Calendar,
  at: number,
  criteria: Criteria,
): ConnectionInput {
  return {
    at,
    systems: unit.systems,
    heartbeats: signals.heartbeats,
    lastDossierEventAt: signals.lastDossierEventAt,
    catalog: signals.catalog,
    reconciliation: reportedDays(data, at),
    activeDays: activeDays(data, cal, criteria.reconciliation.lookbackDays),
    flow: flowOf(data, cal, criteria.dossierFeed.flowWindowDays),
    previousStatus: previous?.status,
    ...legacyInput(unit.sender, data.unitDays, cal.seriesDays),
  };
}
