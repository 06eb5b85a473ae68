import type { Settings } from '../../config/settings.ts';
import type { Me, RefusalReason, SetAsideKind } from '../../schemas/me.ts';
import type { UnitSnapshot } from '../../schemas/snapshot.ts';
import type { Principal } from '../auth/api-keys.ts';
import { UnauthorizedError } from '../errors.ts';
import {
  type Criteria,
  criteriaFor,
  DEFAULT_EVALUATION_EVERY_MS,
  heartbeatGraceMs,
} from '../evaluation/compliance.ts';
import type { StoredKey, UnitProfile } from '../ports.ts';
import { addDays, dayOf } from '../time.ts';

/** How many days of refusals GET /v1/me shows, today included. */
export const REFUSAL_DAYS = 7;
const EXAMPLES_PER_REASON = 5;

export interface RefusalDayRow {
  date: string;
  reason: RefusalReason;
  count: number;
  examples: { at: number; path: string; message: string; eventId?: string; codeProfile?: string }[];
}

/** One thing accepted and later not counted; voidings are those in force, whenever they were made. */
export interface SetAsideRow {
  kind: SetAsideKind;
  reason: string;
  at: number;
}

/** What GET /v1/me reads; every method is scoped to one unit by its argument. */
export interface MePorts {
  key(prefix: string): Promise<StoredKey | undefined>;
  snapshot(unitCode: string): Promise<UnitSnapshot | undefined>;
  heartbeats(unitCode: string): Promise<{ systemId: string; lastSeenAt: number }[]>;
  refusals(unitCode: string, now: number, days: number): Promise<RefusalDayRow[]>;
  profile(unitCode: string): Promise<UnitProfile | undefined>;
  /** Quarantined events and dead letters since `from` (epoch ms), and the voidings in force. */
  setAside(unitCode: string, from: number): Promise<SetAsideRow[]>;
}

const isoOf = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

/**
 * The unit's own view, from the principal alone: no parameter can name another unit, so a key sees only
 * its unit. Counts and the verdict are those the last evaluation published; heartbeats and refusals are live.
 */
export async function describeUnit(
  principal: Principal,
  ports: MePorts,
  config: Settings,
  now: number,
  evaluationEveryMs: number = DEFAULT_EVALUATION_EVERY_MS,
): Promise<Me> {
  const unitCode = principal.unitCode;
  const today = dayOf(now, config.time.utcOffsetMinutes);
  const from = addDays(today, -(REFUSAL_DAYS - 1));
  const [key, snapshot, heartbeats, refusalRows, profile, setAsideRows] = await Promise.all([
    ports.key(principal.keyPrefix),
    ports.snapshot(unitCode),
    ports.heartbeats(unitCode),
    ports.refusals(unitCode, now, REFUSAL_DAYS),
    ports.profile(unitCode),
    ports.setAside(unitCode, dayStart(from, config.time.utcOffsetMinutes)),
  ]);
  if (!key || key.unitCode !== unitCode) throw new UnauthorizedError('The API key is not valid.');
  const systems = profile?.systems ?? [];
  const unit = snapshot?.unit;
  const kpis = unit?.kpis;
  const arrivalsOf = (period: 'today' | 'last7Days') =>
    kpis
      ? {
          dossiersReceived: kpis[period].dossiersReceived,
          dossiersReceivedOnline: kpis[period].dossiersReceivedOnline,
          dossiersResolved: kpis[period].dossiersResolved,
        }
      : null;
  const criteria = criteriaFor(config, unitCode);
  return {
    unitCode,
    key: {
      prefix: key.prefix,
      createdAt: new Date(key.createdAt).toISOString(),
      expiresAt: isoOf(key.expiresAt),
      lastUsedAt: isoOf(key.lastUsedAt),
      sender: key.sender ?? 'generic',
    },
    verdict:
      unit && snapshot
        ? {
            status: unit.connection.status,
            reasons: unit.connection.reasons,
            since: unit.connection.since,
            evaluatedAt: snapshot.generatedAt,
          }
        : null,
    arrivals: {
      asOf: snapshot?.generatedAt ?? null,
      today: arrivalsOf('today'),
      last7Days: arrivalsOf('last7Days'),
      lastHeartbeatBySystem: heartbeats
        .map((h) => ({
          systemId: h.systemId,
          lastSeenAt: new Date(h.lastSeenAt).toISOString(),
          registered: systems.includes(h.systemId),
        }))
        .sort((a, b) => a.systemId.localeCompare(b.systemId)),
      lastDossierEventAt: unit?.connection.lastDossierEventAt ?? null,
      catalogSyncedAt: unit?.connection.catalogSyncedAt ?? null,
    },
    refusals: summariseRefusals(refusalRows, from, today),
    setAside: summariseSetAside(setAsideRows, from, today),
    connectionRules: connectionRules(criteria, systems, evaluationEveryMs),
  };
}

/**
 * The rules a unit is judged by, as it and the ministry's letters see them, with the heartbeat's grace as the
 * evaluation applies it at its default interval.
 */
export function connectionRules(
  criteria: Criteria,
  systems: readonly string[],
  evaluationEveryMs: number = DEFAULT_EVALUATION_EVERY_MS,
): Me['connectionRules'] {
  return {
    heartbeat: {
      ...criteria.heartbeat,
      lateAfterSeconds: heartbeatGraceMs(criteria.heartbeat, evaluationEveryMs) / 1000,
    },
    dossierFeed: criteria.dossierFeed,
    catalog: criteria.catalog,
    reconciliation: { ...criteria.reconciliation, todayExcluded: true },
    registeredSystems: [...systems],
  };
}

/** Counts summed per reason over the days; the newest examples first, at most five per reason. */
export function summariseRefusals(rows: readonly RefusalDayRow[], from: string, to: string): Me['refusals'] {
  const byReason = new Map<RefusalReason, { count: number; examples: RefusalDayRow['examples'] }>();
  for (const row of rows) {
    if (row.date < from || row.date > to) continue;
    const entry = byReason.get(row.reason) ?? { count: 0, examples: [] };
    entry.count += row.count;
    entry.examples.push(...row.examples);
    byReason.set(row.reason, entry);
  }
  const summary = [...byReason]
    .map(([reason, entry]) => ({
      reason,
      count: entry.count,
      examples: entry.examples
        .sort((a, b) => b.at - a.at)
        .slice(0, EXAMPLES_PER_REASON)
        .map(({ at, ...rest }) => ({ at: new Date(at).toISOString(), ...rest })),
    }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return { from, to, total: summary.reduce((sum, r) => sum + r.count, 0), byReason: summary };
}

/** Midnight at the start of `day` in the reporting time zone, epoch ms. */
export function dayStart(day: string, offsetMinutes: number): number {
  return Date.parse(`${day}T00:00:00Z`) - offsetMinutes * 60_000;
}

/**
 * Counts per kind and reason. An event's position in its message is dropped from the reason, so the same
 * fault in many events counts under one reason.
 */
export function summariseSetAside(rows: readonly SetAsideRow[], from: string, to: string): Me['setAside'] {
  const counts = new Map<string, { kind: SetAsideKind; reason: string; count: number }>();
  for (const row of rows) {
    const reason = row.reason.replace(/events\[\d+\]/g, 'events[]');
    const id = `${row.kind}|${reason}`;
    const entry = counts.get(id) ?? { kind: row.kind, reason, count: 0 };
    entry.count++;
    counts.set(id, entry);
  }
  const byReason = [...counts.values()].sort(
    (a, b) => b.count - a.count || a.kind.localeCompare(b.kind) || a.reason.localeCompare(b.reason),
  );
  return { from, to, total: rows.length, byReason };
}
