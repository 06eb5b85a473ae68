import type { Unit } from '../../schemas/registry.ts';
import type { UnitSnapshot } from '../../schemas/snapshot.ts';
import { addDays } from '../time.ts';
import { type Criteria, heartbeatGraceMs } from './compliance.ts';
import type { Calendar } from './periods.ts';
import type { UnitData } from './ports.ts';
import { withinTolerance } from './reconciliation-rule.ts';
import { type ConnectionSignals, reportedDays } from './signals.ts';

export type ConnectionDetail = NonNullable<UnitSnapshot['connection']>;

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * What the unit page shows once a unit is connected: each system's last heartbeat and the time it turns late
 * without another, the earliest such time (when the unit stops being fully connected), and every reported
 * figure of the reconciliation lookback beside the counted one.
 */
export function connectionDetail(
  unit: Unit,
  signals: ConnectionSignals,
  data: UnitData,
  criteria: Criteria,
  cal: Calendar,
  at: number,
  evaluationEveryMs: number,
): ConnectionDetail {
  const grace = heartbeatGraceMs(criteria.heartbeat, evaluationEveryMs);
  const systems = [...new Set([...unit.systems, ...signals.heartbeats.keys()])].sort();
  const heartbeats = systems.map((systemId) => {
    const seen = signals.heartbeats.get(systemId);
    return {
      systemId,
      registered: unit.systems.includes(systemId),
      lastSeenAt: seen === undefined ? null : iso(seen),
      lateAt: seen === undefined ? null : iso(seen + grace),
    };
  });
  const lateTimes = unit.systems.flatMap((system) => {
    const seen = signals.heartbeats.get(system);
    return seen === undefined ? [] : [seen + grace];
  });
  const from = addDays(cal.today, -criteria.reconciliation.lookbackDays);
  const rule = criteria.reconciliation;
  const reconciliation = reportedDays(data, at)
    .filter((day) => day.date >= from && day.date < cal.today)
    .sort((a, b) => a.date.localeCompare(b.date))
    .flatMap((day) =>
      Object.entries(day.figures).map(([figure, { reported, counted }]) => ({
        date: day.date,
        figure,
        reported,
        counted,
        withinTolerance: withinTolerance(reported, counted, rule),
      })),
    );
  return {
    heartbeats,
    lateAt: lateTimes.length === 0 ? null : iso(Math.min(...lateTimes)),
    reconciliation,
  };
}
