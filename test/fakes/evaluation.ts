import type { UnitRegistryPort } from '../../shared/app/units.ts';
import { addInto, type CounterValues } from '../../shared/domain/dossier/counters.ts';
import type {
  Alert,
  AlertPort,
  EvaluationReadPort,
  ReadPlan,
  RegistryPort,
  SnapshotFiles,
  SnapshotPort,
  StatusRecord,
  StatusStorePort,
  UnitData,
} from '../../shared/domain/evaluation/ports.ts';
import { type Unit, type UnitInput, unitSchema } from '../../shared/schemas/registry.ts';

type Signals = Pick<UnitData, 'heartbeats' | 'lastDossierEventAt' | 'catalog' | 'dailyTotals'>;

/**
 * The evaluation's read port over plain maps. Counters are kept per agency and day only; the unit's totals
 * and the month counters are sums of those, as the real store's roll-up makes them, so a test states each
 * dossier's day once and the fake answers every period from it.
 */
/** A unit that sent nothing: the start of a test's `UnitData`, with what the test needs laid over it. */
export function emptyUnitData(overrides: Partial<UnitData> = {}): UnitData {
  return {
    heartbeats: new Map(),
    lastDossierEventAt: undefined,
    catalog: undefined,
    dailyTotals: [],
    unitDays: new Map(),
    unitMonths: new Map(),
    agencyDays: new Map(),
    agencyMonths: new Map(),
    services: [],
    ...overrides,
  };
}

export class InMemoryEvaluationReader implements EvaluationReadPort {
  /** unit → agency → day → counters */
  private readonly days = new Map<string, Map<string, Map<string, CounterValues>>>();
  /** unit → procedure → YYYY-MM → online dossiers */
  private readonly services = new Map<string, Map<string, Map<string, number>>>();
  private readonly signals = new Map<string, Signals>();
  readonly plans: ReadPlan[] = [];

  addCounters(unitCode: string, agencyCode: string, day: string, values: CounterValues): this {
    const agencies = this.days.get(unitCode) ?? new Map<string, Map<string, CounterValues>>();
    const byDay = agencies.get(agencyCode) ?? new Map<string, CounterValues>();
    const sum = byDay.get(day) ?? {};
    addInto(sum, values);
    byDay.set(day, sum);
    agencies.set(agencyCode, byDay);
    this.days.set(unitCode, agencies);
    return this;
  }

  addOnlineDossiers(unitCode: string, procedureCode: string, month: string, count: number): this {
    const procedures = this.services.get(unitCode) ?? new Map<string, Map<string, number>>();
    const months = procedures.get(procedureCode) ?? new Map<string, number>();
    months.set(month, (months.get(month) ?? 0) + count);
    procedures.set(procedureCode, months);
    this.services.set(unitCode, procedures);
    return this;
  }

  setSignals(unitCode: string, signals: Partial<Signals>): this {
    const current = this.signals.get(unitCode) ?? {
      heartbeats: new Map(),
      lastDossierEventAt: undefined,
      catalog: undefined,
      dailyTotals: [],
    };
    this.signals.set(unitCode, { ...current, ...signals });
    return this;
  }

  async readUnit(
    unitCode: string,
    plan: ReadPlan,
    agencies?: (agencyCode: string) => boolean,
  ): Promise<UnitData> {
    this.plans.push(plan);
    const byAgency = [...(this.days.get(unitCode) ?? new Map<string, Map<string, CounterValues>>())].filter(
      ([agency]) => agencies === undefined || agencies(agency),
    );
    /** A day's counters, or a month's as the sum of its days (a period is YYYY-MM-DD or YYYY-MM). */
    const sum = (agencyCode: string | undefined, period: string): CounterValues => {
      const total: CounterValues = {};
      for (const [agency, byDay] of byAgency) {
        if (agencyCode !== undefined && agency !== agencyCode) continue;
        if (period.length === 10) addInto(total, byDay.get(period) ?? {});
        else for (const [day, values] of byDay) if (day.startsWith(`${period}-`)) addInto(total, values);
      }
      return total;
    };
    const perAgency = (periods: string[]) =>
      new Map(
        periods.map((period) => [period, new Map(byAgency.map(([agency]) => [agency, sum(agency, period)]))]),
      );
    const signals = this.signals.get(unitCode);
    const servicesOf = (year: string) =>
      [...(this.services.get(unitCode) ?? new Map<string, Map<string, number>>())].map(
        ([procedureCode, months]) => ({
          procedureCode,
          months: Object.fromEntries(
            [...months].filter(([month]) => month.startsWith(`${year}-`)).map(([m, n]) => [m.slice(5), n]),
          ),
        }),
      );
    const services = servicesOf(plan.year);
    return {
      heartbeats: new Map(signals?.heartbeats ?? []),
      lastDossierEventAt: signals?.lastDossierEventAt,
      catalog: signals?.catalog,
      dailyTotals: (signals?.dailyTotals ?? []).filter(
        (day) => day.date >= plan.totalsFrom && day.date <= plan.totalsTo,
      ),
      unitDays: new Map(plan.unitDays.map((day) => [day, sum(undefined, day)])),
      unitMonths: new Map(plan.unitMonths.map((month) => [month, sum(undefined, month)])),
      agencyDays: perAgency(plan.agencyDays),
      agencyMonths: perAgency(plan.agencyMonths),
      services,
      ...(plan.servicesYearBefore ? { servicesYearBefore: servicesOf(plan.servicesYearBefore) } : {}),
    };
  }
}

/** The registry over an array; each `putUnits` is one write, as the real one is one transaction. */
export class InMemoryRegistry implements RegistryPort, UnitRegistryPort {
  readonly units: Unit[];
  readonly writes: string[][] = [];
  constructor(units: readonly UnitInput[]) {
    this.units = units.map((unit) => unitSchema.parse(unit));
  }
  async listUnits(): Promise<Unit[]> {
    return this.units.map((unit) => structuredClone(unit));
  }
  async getUnit(unitCode: string): Promise<Unit | undefined> {
    const found = this.units.find((unit) => unit.unitCode === unitCode);
    return found && structuredClone(found);
  }
  async putUnits(units: readonly Unit[]): Promise<void> {
    for (const unit of units) {
      const index = this.units.findIndex((u) => u.unitCode === unit.unitCode);
      if (index === -1) this.units.push(structuredClone(unit));
      else this.units[index] = structuredClone(unit);
    }
    this.writes.push(units.map((unit) => unit.unitCode));
  }
  async putUnit(input: UnitInput): Promise<Unit> {
    const unit = unitSchema.parse(input);
    await this.putUnits([unit]);
    return unit;
  }
}

/** Status records with the conditional-write semantics of the real store: a stale version loses. */
export class InMemoryStatusStore implements StatusStorePort {
  readonly records = new Map<string, StatusRecord>();
  readonly queued = new Map<string, Alert>();
  readonly claimed = new Set<string>();
  readonly sent = new Set<string>();
  readonly digests = new Set<string>();
  readonly held = new Map<string, { holdId: string; alert: Alert }>();

  async get(unitCode: string): Promise<StatusRecord | undefined> {
    const record = this.records.get(unitCode);
    return record ? structuredClone(record) : undefined;
  }

  async transition(
    unitCode: string,
    expectedVersion: number,
    next: StatusRecord,
    alert: Alert | undefined,
    holdId?: string,
  ): Promise<boolean> {
    if ((this.records.get(unitCode)?.version ?? 0) !== expectedVersion) return false;
    this.records.set(unitCode, structuredClone(next));
    if (alert && holdId) this.held.set(alert.alertId, { holdId, alert });
    else if (alert) this.queued.set(alert.alertId, alert);
    return true;
  }

  async heldAlerts(): Promise<{ holdId: string; alert: Alert }[]> {
    return [...this.held.values()].map((entry) => structuredClone(entry));
  }

  async settleHold(holdId: string, action: 'release' | 'drop'): Promise<number> {
    const entries = [...this.held.values()].filter((entry) => entry.holdId === holdId);
    for (const { alert } of entries) {
      this.held.delete(alert.alertId);
      if (action === 'release') this.queued.set(alert.alertId, alert);
    }
    return entries.length;
  }

  async claimReminder(
    unitCode: string,
    expectedVersion: number,
    previousReminderAt: number | undefined,
    at: number,
    alert: Alert,
  ): Promise<boolean> {
    const record = this.records.get(unitCode);
    if (!record || record.version !== expectedVersion || record.lastReminderAt !== previousReminderAt)
      return false;
    record.lastReminderAt = at;
    this.queued.set(alert.alertId, alert);
    return true;
  }

  async claimDigest(kind: 'daily' | 'weekly' | 'hold', period: string, alert: Alert): Promise<boolean> {
    const id = `${kind}|${period}`;
    if (this.digests.has(id)) return false;
    this.digests.add(id);
    this.queued.set(alert.alertId, alert);
    return true;
  }

  async pendingAlerts(): Promise<Alert[]> {
    return [...this.queued.values()].filter((alert) => !this.sent.has(alert.alertId));
  }

  async claimAlert(alertId: string): Promise<boolean> {
    if (this.claimed.has(alertId)) return false;
    this.claimed.add(alertId);
    return true;
  }

  async markSent(alertId: string): Promise<void> {
    this.sent.add(alertId);
  }
}

export class RecordingAlerts implements AlertPort {
  readonly published: Alert[] = [];
  async publish(alert: Alert): Promise<void> {
    this.published.push(alert);
  }
}

/** Keeps every published set of files; the last one is what a reader of the bucket would see. */
export class InMemorySnapshots implements SnapshotPort {
  readonly published: SnapshotFiles[] = [];
  get last(): SnapshotFiles {
    const files = this.published.at(-1);
    if (!files) throw new Error('nothing was published');
    return files;
  }
  async publish(files: SnapshotFiles): Promise<{ bytes: number; objects: number }> {
    this.published.push(structuredClone(files));
    return { bytes: JSON.stringify(files).length, objects: 2 * (files.units.length + 2) };
  }
  /** An evaluation of the past: kept apart, never what a reader of the current files sees. */
  readonly publishedAsOf: SnapshotFiles[] = [];
  async publishAsOf(files: SnapshotFiles): Promise<{ bytes: number; objects: number }> {
    this.publishedAsOf.push(structuredClone(files));
    return { bytes: JSON.stringify(files).length, objects: files.units.length + 2 };
  }
}
