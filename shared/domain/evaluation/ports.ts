import type { Unit } from '../../schemas/registry.ts';
import type { ConnectionStatus, LatestSnapshot, UnitSnapshot } from '../../schemas/snapshot.ts';
import type { CounterValues } from '../dossier/counters.ts';

export interface ReadPlan {
  /** Connection signals are read as they stood at this time: only what had been received by then. */
  asOf: number;
  /**
   * Unit totals by day: the 90-day series, which also covers today, 7 days and month to date, and the days of
   * the same short periods a year earlier.
   */
  unitDays: string[];
  /** Unit totals by month: the months of this year before the current one, and the same months a year earlier. */
  unitMonths: string[];
  /** Per-agency counters by day (today and the last 7 days) and by month (the year so far). */
  agencyDays: string[];
  agencyMonths: string[];
  year: string;
  totalsFrom: string;
  totalsTo: string;
  /** The year before `year`, when the coverage window reaches into it: its online services are read too. */
  servicesYearBefore?: string;
}

export interface UnitData {
  heartbeats: Map<string, number>;
  lastDossierEventAt: number | undefined;
  catalog:
    | {
        syncedAt: number;
        procedures: number;
        online: number;
        fullOnline: number;
        /** Each procedure's online level, by procedure code. */
        levels?: Record<string, 'none' | 'partial' | 'full'>;
      }
    | undefined;
  dailyTotals: {
    date: string;
    reportedAt: number;
    received: number;
    receivedOnline: number;
    resolved: number;
    resolvedOnTime: number;
  }[];
  unitDays: Map<string, CounterValues>;
  unitMonths: Map<string, CounterValues>;
  agencyDays: Map<string, Map<string, CounterValues>>;
  agencyMonths: Map<string, Map<string, CounterValues>>;
  /** Online dossiers per procedure and month (`MM` → count) in the plan's year. */
  services: { procedureCode: string; months: Record<string, number> }[];
  /** The same for the plan's `servicesYearBefore`, when it names one. */
  servicesYearBefore?: { procedureCode: string; months: Record<string, number> }[];
}

/** Reads a unit's data, a fixed number of requests per unit, after folding its pending deltas. */
export interface EvaluationReadPort {
  /**
   * With `agencies`, only those agencies' counters are read, and the unit totals are their sums: the part of
   * a split unit that one successor carries.
   */
  readUnit(unitCode: string, plan: ReadPlan, agencies?: (agencyCode: string) => boolean): Promise<UnitData>;
}

export interface RegistryPort {
  listUnits(): Promise<Unit[]>;
}

export interface StatusRecord {
  status: ConnectionStatus;
  reasonCodes: string[];
  since: number;
  version: number;
  lastReminderAt: number | undefined;
  history: { status: ConnectionStatus; since: number; reasons: string[] }[];
  /**
   * A different status seen by the last `count` evaluations in a row, since `since`, not yet confirmed. It is
   * stored with the record, so a restarted evaluation goes on counting where the last one stopped.
   */
  pending?: { status: ConnectionStatus; reasonCodes: string[]; since: number; count: number };
}

export interface Alert {
  alertId: string;
  kind: 'status_change' | 'reminder' | 'daily_digest' | 'weekly_digest' | 'alerts_held';
  unitCode: string | null;
  createdAt: number;
  subject: string;
  text: string;
  data: unknown;
}

/**
 * Connection status per unit, changed only by a conditional write, so that of two racing evaluations exactly
 * one records a change and queues its alert (in the same transaction).
 */
export interface StatusStorePort {
  get(unitCode: string): Promise<StatusRecord | undefined>;
  /** With `holdId`, the alert is kept under that hold, never sent until the hold is released. */
  transition(
    unitCode: string,
    expectedVersion: number,
    next: StatusRecord,
    alert: Alert | undefined,
    holdId?: string,
  ): Promise<boolean>;
  claimReminder(
    unitCode: string,
    expectedVersion: number,
    previousReminderAt: number | undefined,
    at: number,
    alert: Alert,
  ): Promise<boolean>;
  /** Claims a digest period (a day or an ISO week), or a hold's operator alert, once, queueing its alert. */
  claimDigest(kind: 'daily' | 'weekly' | 'hold', period: string, alert: Alert): Promise<boolean>;
  /** Alerts kept under holds, oldest hold first. */
  heldAlerts(): Promise<{ holdId: string; alert: Alert }[]>;
  /** Queues a hold's alerts for sending (`release`) or deletes them (`drop`); returns how many. */
  settleHold(holdId: string, action: 'release' | 'drop'): Promise<number>;
  /** Alerts queued but not yet published; each is claimed before publishing so only one evaluation sends it. */
  pendingAlerts(): Promise<Alert[]>;
  claimAlert(alertId: string, at: number): Promise<boolean>;
  markSent(alertId: string): Promise<void>;
}

export interface AlertPort {
  publish(alert: Alert): Promise<void>;
}

export interface SnapshotFiles {
  latest: LatestSnapshot;
  units: UnitSnapshot[];
  csv: string;
}

/** Writes dated objects first and `latest.json` last, so a failure leaves the previous latest intact. */
export interface SnapshotPort {
  publish(files: SnapshotFiles): Promise<{ bytes: number; objects: number }>;
  /** An evaluation of the past: only under `snapshots/as-of/<asOf>/`, never the current files or `latest`. */
  publishAsOf(files: SnapshotFiles): Promise<{ bytes: number; objects: number }>;
}
