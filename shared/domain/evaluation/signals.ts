import type { Unit } from '../../schemas/registry.ts';
import { type ConnectionInput, legacyInput, worstRelativeDifference } from './compliance.ts';
import type { Calendar } from './periods.ts';
import type { StatusRecord, UnitData } from './ports.ts';

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

/** Each day the unit reported totals for (by `at`), with how far they are from what was counted. */
export function reconciliationDays(data: UnitData, at: number): ConnectionInput['reconciliation'] {
  return data.dailyTotals
    .filter((day) => day.reportedAt <= at)
    .map((day) => {
      const counted = data.unitDays.get(day.date) ?? {};
      return {
        date: day.date,
        worstRelativeDifference: worstRelativeDifference(
          {
            received: day.received,
            receivedOnline: day.receivedOnline,
            resolved: day.resolved,
            resolvedOnTime: day.resolvedOnTime,
          },
          {
            received: counted.received ?? 0,
            receivedOnline: counted.receivedOnline ?? 0,
            resolved: counted.resolved ?? 0,
            resolvedOnTime: counted.resolvedOnTime ?? 0,
          },
        ),
      };
    });
}

/** Everything the connection rules judge a unit on, from what was read for it. */
export function connectionInput(
  unit: Unit,
  data: UnitData,
  signals: ConnectionSignals,
  previous: StatusRecord | undefined,
  cal: Calendar,
  at: number,
): ConnectionInput {
  return {
    at,
    systems: unit.systems,
    heartbeats: signals.heartbeats,
    lastDossierEventAt: signals.lastDossierEventAt,
    catalog: signals.catalog,
    reconciliation: reconciliationDays(data, at),
    previousStatus: previous?.status,
    ...legacyInput(unit.sender, data.unitDays, cal.seriesDays),
  };
}
