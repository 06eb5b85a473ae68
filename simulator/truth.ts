import type { CounterMap } from './model.ts';

/**
 * What the simulator meant one dossier to be: its channel, level, fee and payment, its outcome and timing,
 * decided before any event was written. The ground truth is counted from these, not from the events sent,
 * and not by the pipeline's code, so a wrong definition cannot pass because both sides share it.
 */
export interface DossierIntent {
  unitCode: string;
  agencyCode: string;
  procedureCode: string;
  receivedAt: number;
  channel: 1 | 2 | 3;
  onlineLevel: 'none' | 'partial' | 'full';
  fromNationalPortal: boolean;
  fee: boolean;
  /** The amount paid online, when it was. */
  paidOnlineVnd: number | undefined;
  /** The due date, or null for a procedure without a deadline. */
  dueAt: number | null;
  supplements: number;
  /** When the first end status was sent; undefined while the dossier is still open. */
  resolvedAt: number | undefined;
  digitized: boolean;
  /** The citizen's rating (the last one sent), if any. */
  rating: number | undefined;
}

const DAY = 86_400_000;
const vnDay = (ms: number): string => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
const add = (map: CounterMap, key: string, value: number): void => {
  if (value !== 0) map.set(key, (map.get(key) ?? 0) + value);
};

/**
 * The counters the intents add up to, in the model's key form (`unit|period|scope|counter`), by the
 * definitions of docs/snapshots.md: received on the receipt day, resolved on the first end status's day,
 * on time when resolved by the due date with at most one supplement request, open dossiers on their due day,
 * and the closure counters on the due day.
 */
export function intendedCounters(intents: readonly DossierIntent[]): CounterMap {
  const out: CounterMap = new Map();
  for (const d of intents) {
    const put = (day: string, counter: string, value: number): void => {
      for (const period of [day, day.slice(0, 7)]) {
        add(out, `${d.unitCode}|${period}|A#${d.agencyCode}|${counter}`, value);
        add(out, `${d.unitCode}|${period}|U|${counter}`, value);
      }
    };
    const online = d.channel === 2;
    const received = vnDay(d.receivedAt);
    put(received, 'received', 1);
    put(received, 'receivedOnline', online ? 1 : 0);
    put(received, 'receivedPostal', d.channel === 3 ? 1 : 0);
    put(received, 'fromNationalPortal', d.fromNationalPortal ? 1 : 0);
    put(received, 'fullOnlineEligible', d.onlineLevel === 'full' ? 1 : 0);
    put(received, 'fullOnline', d.onlineLevel === 'full' && online ? 1 : 0);
    put(received, 'feeRequired', d.fee ? 1 : 0);
    put(received, 'paidOnline', d.fee && d.paidOnlineVnd !== undefined ? 1 : 0);
    put(received, 'paidOnlineAmountVnd', d.fee ? (d.paidOnlineVnd ?? 0) : 0);
    if (online) add(out, `${d.unitCode}|${received.slice(0, 7)}|${d.procedureCode}|online`, 1);
    if (d.resolvedAt !== undefined) {
      const day = vnDay(d.resolvedAt);
      put(day, 'resolved', 1);
      put(day, 'resolvedOnline', online ? 1 : 0);
      put(day, 'resolvedWithDueDate', d.dueAt === null ? 0 : 1);
      put(day, 'resolvedNoDueDate', d.dueAt === null ? 1 : 0);
      put(day, 'resolvedOnTime', d.dueAt !== null && d.resolvedAt <= d.dueAt && d.supplements <= 1 ? 1 : 0);
      put(day, 'digitized', d.digitized ? 1 : 0);
      put(day, 'rated', d.rating !== undefined ? 1 : 0);
      put(day, 'satisfied', (d.rating ?? 0) >= 4 ? 1 : 0);
    } else if (d.dueAt !== null) {
      put(vnDay(d.dueAt), 'openWithDueDate', 1);
    }
    // Closure, on the due day: resolved by the due date plus the default grace of three days.
    if (d.dueAt !== null) {
      put(vnDay(d.dueAt), 'closureDue', 1);
      put(
        vnDay(d.dueAt),
        'closureInGrace',
        d.resolvedAt !== undefined && d.resolvedAt <= d.dueAt + 3 * DAY ? 1 : 0,
      );
    }
  }
  return out;
}

/** Open dossiers whose due day is in `days` and before `today`: overdue as of the evaluation. */
export function overdueOpen(
  intents: readonly DossierIntent[],
  unitCode: string,
  inPeriod: (day: string) => boolean,
  today: string,
): number {
  return intents.filter((d) => {
    if (d.unitCode !== unitCode || d.resolvedAt !== undefined || d.dueAt === null) return false;
    const due = vnDay(d.dueAt);
    return due < today && inPeriod(due);
  }).length;
}

export interface ScoreInput {
  onTimeRate: number | null;
  onlineRate: number | null;
  onlinePaymentRate: number | null;
  digitizedRate: number | null;
  satisfactionRate: number | null;
}

/**
 * The index as docs/snapshots.md states it, written out here: 20 × on time, 12 × online submissions and
 * 10 × online payments (each up to 50%), 22 × digitised (up to 80%), 18 × satisfied (up to 90%); a rate that
 * is not applicable leaves its points out; out of 100 over the points measured.
 */
export function intendedScore(r: ScoreInput): { scaled: number | null; measuredMax: number } {
  const parts: [number | null, number, number][] = [
    [r.onTimeRate, 1, 20],
    [r.onlineRate, 0.5, 12],
    [r.onlinePaymentRate, 0.5, 10],
    [r.digitizedRate, 0.8, 22],
    [r.satisfactionRate, 0.9, 18],
  ];
  let earned = 0;
  let max = 0;
  for (const [rate, threshold, points] of parts) {
    if (rate === null) continue;
    earned += Math.min(1, rate / threshold) * points;
    max += points;
  }
  return { scaled: max > 0 ? (earned / max) * 100 : null, measuredMax: max };
}

/** The coverage thresholds, window and grace the shipped configuration sets (docs/operations.md). */
export const COVERAGE_DEFAULTS = {
  windowDays: 30,
  graceDays: 3,
  agencies: 0.5,
  procedures: 0.2,
  closure: 0.8,
} as const;

/** A share's counts, and whether the window's flow was enough to judge it (one dossier per item). */
export interface IntendedShare {
  numerator: number;
  denominator: number;
  judged: boolean;
}

export interface IntendedCoverage {
  agencies: IntendedShare;
  procedures: IntendedShare;
  closure: IntendedShare;
}

const dayBefore = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY).toISOString().slice(0, 10);

/**
 * A unit's coverage as docs/snapshots.md defines it, from the model's counters: its listed agencies with any
 * counter on a day of the last 30 days; its online procedures with an online dossier in a month those days
 * touch; its dossiers due on the 30 days ending four days before today, and of those, closed within grace.
 * The first two are judged once the 30 days received a dossier per agency, and an online one per procedure.
 */
export function intendedCoverage(
  counters: CounterMap,
  unitCode: string,
  agencies: readonly string[],
  onlineProcedures: readonly string[],
  today: string,
): IntendedCoverage {
  const window = Array.from({ length: COVERAGE_DEFAULTS.windowDays }, (_, i) => dayBefore(today, i));
  const months = new Set(window.map((day) => day.slice(0, 7)));
  const agencyActive = new Set<string>();
  const proceduresUsed = new Set<string>();
  const due = Array.from({ length: COVERAGE_DEFAULTS.windowDays }, (_, i) =>
    dayBefore(today, COVERAGE_DEFAULTS.graceDays + 1 + i),
  );
  let closureDue = 0;
  let closureInGrace = 0;
  let received = 0;
  let receivedOnline = 0;
  for (const [key, value] of counters) {
    const [unit, period = '', scope = '', counter] = key.split('|');
    if (unit !== unitCode || value === 0) continue;
    if (scope.startsWith('A#') && window.includes(period)) agencyActive.add(scope.slice(2));
    if (counter === 'online' && months.has(period)) proceduresUsed.add(scope);
    if (scope === 'U' && window.includes(period)) {
      if (counter === 'received') received += value;
      if (counter === 'receivedOnline') receivedOnline += value;
    }
    if (scope === 'U' && due.includes(period)) {
      if (counter === 'closureDue') closureDue += value;
      if (counter === 'closureInGrace') closureInGrace += value;
    }
  }
  return {
    agencies: {
      numerator: agencies.filter((a) => agencyActive.has(a)).length,
      denominator: agencies.length,
      judged: received >= agencies.length,
    },
    procedures: {
      numerator: onlineProcedures.filter((p) => proceduresUsed.has(p)).length,
      denominator: onlineProcedures.length,
      judged: receivedOnline >= onlineProcedures.length,
    },
    closure: { numerator: closureInGrace, denominator: closureDue, judged: true },
  };
}

/** The coverage reasons a unit's shares call for, in the order the pipeline lists them. */
export function coverageReasonCodes(coverage: IntendedCoverage): string[] {
  const low = (share: IntendedShare, threshold: number): boolean =>
    share.judged && share.denominator > 0 && share.numerator / share.denominator < threshold;
  return [
    ...(low(coverage.agencies, COVERAGE_DEFAULTS.agencies) ? ['coverage_agencies_low'] : []),
    ...(low(coverage.procedures, COVERAGE_DEFAULTS.procedures) ? ['coverage_procedures_low'] : []),
    ...(low(coverage.closure, COVERAGE_DEFAULTS.closure) ? ['coverage_closure_low'] : []),
  ];
}

/** The shipped feed-rhythm rule (docs/operations.md): four weeks, five active working days, 2 × gap, at least 3. */
export const RHYTHM_DEFAULTS = { lookbackDays: 28, minActiveDays: 5, multiplier: 2, minSilentWorkingDays: 3 };

/**
 * Whether a unit's feed stopped past its own rhythm by today, written out from the rule's words: over the 28
 * days before today, the working days (not Saturday, Sunday or a holiday) with dossiers received or resolved;
 * at least five of them; the working days since the last day with dossiers; more than the larger of 3 and
 * twice the longest run of working days without dossiers between two days with them. Today with dossiers is
 * no silence.
 */
export function intendedFeedStopped(
  counters: CounterMap,
  unitCode: string,
  today: string,
  holidays: readonly string[],
): boolean {
  const activeOn = (day: string): boolean =>
    (counters.get(`${unitCode}|${day}|U|received`) ?? 0) > 0 ||
    (counters.get(`${unitCode}|${day}|U|resolved`) ?? 0) > 0;
  const working = (day: string): boolean => {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !holidays.includes(day);
  };
  if (activeOn(today)) return false;
  const days = Array.from({ length: RHYTHM_DEFAULTS.lookbackDays }, (_, i) =>
    dayBefore(today, RHYTHM_DEFAULTS.lookbackDays - i),
  );
  let last = -1;
  days.forEach((day, i) => {
    if (activeOn(day)) last = i;
  });
  if (last < 0) return false;
  const before = days.slice(0, last + 1);
  if (before.filter((d) => activeOn(d) && working(d)).length < RHYTHM_DEFAULTS.minActiveDays) return false;
  let longest = 0;
  let run = 0;
  let seen = false;
  for (const day of before) {
    if (activeOn(day)) {
      if (seen) longest = Math.max(longest, run);
      seen = true;
      run = 0;
    } else if (seen && working(day)) run++;
  }
  const silent = days.slice(last + 1).filter(working).length;
  return (
    silent > Math.max(RHYTHM_DEFAULTS.minSilentWorkingDays, Math.ceil(RHYTHM_DEFAULTS.multiplier * longest))
  );
}

export const DAY_MS = DAY;

/** A legacy-only dossier as it really is: its procedure's level and fee, and how a fee was paid, if yet. */
export interface LegacyDossierFacts {
  onlineLevel: 'none' | 'partial' | 'full';
  fee: boolean;
  paid: 'online' | 'cash' | 'transfer' | undefined;
}

/**
 * What a correct pipeline knows of a legacy-only dossier's level and fee, written out from what each vendor
 * sends (docs/senders/) and, once the unit has synced it, the unit's catalogue, whose entry for the
 * procedure is the dossier's level and fee:
 * - OpenCPS sends level and payment as installation constants: the level is the catalogue's once synced,
 *   else unknown; the fee is never known (no online payment could ever be).
 * - The .NET system folds its level (partial and full both 4): the catalogue's once synced, else unknown.
 *   A payment made (online; cash or transfer) says the dossier carries a fee; its "0" says only that
 *   nothing was paid yet: with the catalogue, the procedure's fee, not paid online; without, nothing.
 */
export function legacyDerived(
  sender: 'opencps' | 'dichvucong-dotnet' | 'generic',
  dossier: LegacyDossierFacts,
  catalogued: boolean,
): {
  onlineLevel?: LegacyDossierFacts['onlineLevel'];
  payment?: { required: boolean; online: boolean };
} {
  const level = catalogued ? { onlineLevel: dossier.onlineLevel } : {};
  if (sender === 'opencps') return level;
  if (dossier.paid !== undefined)
    return { ...level, payment: { required: true, online: dossier.paid === 'online' } };
  return catalogued ? { ...level, payment: { required: dossier.fee, online: false } } : level;
}
