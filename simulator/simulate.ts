import defaults from '../shared/config/defaults.json' with { type: 'json' };
import type { SenderProfileName } from '../shared/schemas/legacy-emc.ts';
import type { QueuedEvent } from '../shared/schemas/queue.ts';
import type { UnitInput } from '../shared/schemas/registry.ts';
import { intendedScores, NAMED, ONLINE_SHARE, qualityFor } from './calibration.ts';
import { type CounterMap, expectedCounters } from './model.ts';
import { prng } from './random.ts';
import { dotNetJson, openCpsForm, type TrueDossier } from './senders.ts';
import {
  coverageReasonCodes,
  type DossierIntent,
  type IntendedCoverage,
  intendedCounters,
  intendedCoverage,
  intendedFeedStopped,
  intendedScore,
  legacyDerived,
  overdueOpen,
} from './truth.ts';

export type Fault =
  | 'never_connected'
  | 'heartbeat_missing'
  | 'feed_interrupted'
  | 'catalog_missing'
  | 'coverage_agencies'
  | 'coverage_closure'
  | 'reconciliation_unreported'
  | 'reconciliation_mismatch';

/** The public holidays the shipped configuration lists: a feed's rhythm skips them. */
const HOLIDAYS: readonly string[] = defaults.calendar.holidays;

/** The answers a sender waits out and sends again after. */
const RETRIED = new Set([429, 502, 503, 504]);

export interface SimulateOptions {
  url: string;
  units: UnitInput[];
  keys: ReadonlyMap<string, string>;
  seed: number;
  dossiers: number;
  days: number;
  now: number;
  /** The evaluation the ground truth is for (default `now`): its day, month, quarter and year are Vietnam's. */
  evaluateAt?: number;
  /** How many units of each fault; the default reproduces the seed article's 16 of 83 not connected. */
  faults?: Partial<Record<Fault, number>>;
  legacyUnits?: number;
  /**
   * Whether the legacy-only units' catalogues (`SIMULATED_CATALOG`) were synced before their records arrive.
   * The scenario's are not: those units send nothing but their feed. With it, the truth counts what a correct
   * pipeline takes from the catalogue where the vendor drops a fact; the caller syncs the catalogue first.
   */
  legacyCatalogued?: boolean;
  progress?: (done: number, total: number) => void;
  concurrency?: number;
}

export interface ExpectedFigures {
  dossiersReceived: number;
  dossiersReceivedOnline: number;
  dossiersReceivedPostal: number;
  dossiersFromNationalPortal: number;
  fullOnlineEligible: number;
  fullOnlineDossiers: number;
  dossiersResolved: number;
  dossiersResolvedOnline: number;
  dossiersWithDueDate: number;
  dossiersNoDueDate: number;
  dossiersOverdueOpen: number;
  onTimeDenominator: number;
  dossiersOnTime: number;
  dossiersWithFee: number;
  onlinePayments: number;
  onlinePaymentAmountVnd: number;
  dossiersDigitized: number;
  ratings: number;
  satisfiedRatings: number;
}

export interface GroundTruth {
  seed: number;
  generatedAt: string;
  registered: number;
  connected: number;
  units: Record<
    string,
    {
      status: string;
      reasons: string[];
      fault: Fault | null;
      today: ExpectedFigures;
      monthToDate: ExpectedFigures;
      quarterToDate: ExpectedFigures;
      yearToDate: ExpectedFigures;
      /** The index of the year-to-date figures, by the definition in docs/snapshots.md. */
      score: { scaled: number | null; measuredMax: number };
      /** The index the scenario meant the unit to reach, when it scores one. */
      intendedScore: number | null;
      /** Its coverage by the definitions of docs/snapshots.md, from the plain model's counters. */
      coverage: IntendedCoverage;
    }
  >;
  national: { yearToDate: ExpectedFigures; onlineRate: number | null };
  /** Per kind: the mean index over units with at least 60 measured points, and how many were banded fair or better. */
  byKind: Record<string, { average: number | null; scored: number; fairOrBetter: number }>;
  sent: { requests: number; events: number; duplicates: number; legacy: number };
}

/**
 * Named volumes for `emc simulate --scale`: `national` is one day of the whole country, about 200,000
 * dossiers (about a million events). Explicit `--dossiers` / `--days` override a scale.
 */
export const SCALES = {
  demo: { dossiers: 20_000, days: 14 },
  national: { dossiers: 200_000, days: 1 },
} as const satisfies Record<string, { dossiers: number; days: number }>;
export type Scale = keyof typeof SCALES;

/** The seed of the default scenario: `emc simulate` and `npm start`'s first backfill send the same one. */
export const DEFAULT_SEED = 2024;

/** An unknown `--scale`, or a size that is not a positive whole number. */
export class SimulationSizeError extends Error {
  override readonly name = 'SimulationSizeError';
}

/** Dossiers and days for a run: the scale's (default `demo`), each overridden by an explicit flag. */
export function simulationSize(
  scale: string | undefined,
  dossiers: string | undefined,
  days: string | undefined,
): { dossiers: number; days: number } {
  const name = scale ?? 'demo';
  if (!Object.hasOwn(SCALES, name))
    throw new SimulationSizeError(`--scale must be one of ${Object.keys(SCALES).join(', ')}, not ${name}`);
  const base = SCALES[name as Scale];
  const whole = (flag: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1)
      throw new SimulationSizeError(`--${flag} must be a positive whole number, not ${value}`);
    return parsed;
  };
  return { dossiers: whole('dossiers', dossiers, base.dossiers), days: whole('days', days, base.days) };
}

export const DEFAULT_FAULTS: Record<Fault, number> = {
  never_connected: 4,
  heartbeat_missing: 2,
  feed_interrupted: 2,
  catalog_missing: 2,
  coverage_agencies: 2,
  coverage_closure: 1,
  reconciliation_unreported: 2,
  reconciliation_mismatch: 1,
};

/** How long before the run a unit with the feed fault stopped sending dossiers: nine days. */
const FEED_STOP_MS = 9 * 24 * 3_600_000;

/**
 * The reasons a fault itself gives. Coverage reasons are not listed here: the ground truth computes every
 * unit's coverage from the model's counters, so a coverage fault's reasons come from there.
 */
const REASONS: Record<Fault, (unit: UnitInput) => string[]> = {
  never_connected: () => ['no_data_ever'],
  heartbeat_missing: (unit) => [`heartbeat_missing:${unit.systems?.at(-1) ?? 'portal'}`],
  feed_interrupted: () => [],
  catalog_missing: () => ['catalog_missing'],
  coverage_agencies: () => [],
  coverage_closure: () => [],
  reconciliation_unreported: () => ['reconciliation_unreported'],
  reconciliation_mismatch: () => ['reconciliation_mismatch'],
};

/** Every unit's catalogue: 40 procedures, three in four of them online, one in three with a fee. */
export const SIMULATED_CATALOG = Array.from({ length: 40 }, (_, i) => ({
  procedureCode: `1.00${String(1000 + i).padStart(4, '0')}`,
  name: `Thủ tục hành chính số ${i + 1}`,
  onlineLevel: i % 4 === 3 ? ('none' as const) : i % 2 === 0 ? ('full' as const) : ('partial' as const),
  feeBearing: i % 3 === 0,
}));
const CATALOG = SIMULATED_CATALOG;
const ONLINE_PROCEDURES = CATALOG.filter((p) => p.onlineLevel !== 'none').map((p) => p.procedureCode);

const HOUR = 3_600_000;
const vnDay = (ms: number): string => new Date(ms + 7 * HOUR).toISOString().slice(0, 10);
const iso = (ms: number): string => new Date(ms + 7 * HOUR).toISOString().replace('Z', '+07:00');
/** The Vietnam midnight that starts the day of `ms`. */
const dayStart = (ms: number): number => ms - ((ms + 7 * HOUR) % (24 * HOUR));

type UnitEvent = QueuedEvent & { unitCode: string };

interface LegacyOnlyDossier {
  unitCode: string;
  sends: { request: { body: string; contentType: string }; event: UnitEvent | undefined }[];
}

/** The first instant (Vietnam time) of the receipt day a dossier code names. */
function dayStartOf(dossierCode: string): number {
  const yymmdd = /-(\d{6})-\d+$/.exec(dossierCode)?.[1] ?? '000101';
  return Date.parse(`20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}T00:00:00+07:00`);
}

interface Request {
  unitCode: string;
  method: string;
  path: string;
  body: string;
  contentType: string;
}

function figures(map: CounterMap, unitCode: string, periods: string[], overdue: number): ExpectedFigures {
  const sum = (counter: string) =>
    periods.reduce((total, period) => total + (map.get(`${unitCode}|${period}|U|${counter}`) ?? 0), 0);
  return {
    dossiersReceived: sum('received'),
    dossiersReceivedOnline: sum('receivedOnline'),
    dossiersReceivedPostal: sum('receivedPostal'),
    dossiersFromNationalPortal: sum('fromNationalPortal'),
    fullOnlineEligible: sum('fullOnlineEligible'),
    fullOnlineDossiers: sum('fullOnline'),
    dossiersResolved: sum('resolved'),
    dossiersResolvedOnline: sum('resolvedOnline'),
    dossiersWithDueDate: sum('resolvedWithDueDate'),
    dossiersNoDueDate: sum('resolvedNoDueDate'),
    dossiersOverdueOpen: overdue,
    onTimeDenominator: sum('resolvedWithDueDate') + overdue,
    dossiersOnTime: sum('resolvedOnTime'),
    dossiersWithFee: sum('feeRequired'),
    onlinePayments: sum('paidOnline'),
    onlinePaymentAmountVnd: sum('paidOnlineAmountVnd'),
    dossiersDigitized: sum('digitized'),
    ratings: sum('rated'),
    satisfiedRatings: sum('satisfied'),
  };
}

const share = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;

/** Adds one counter map into another. */
function mergeInto(target: CounterMap, source: CounterMap): CounterMap {
  for (const [key, value] of source) target.set(key, (target.get(key) ?? 0) + value);
  return target;
}

/**
 * Deterministic traffic for a registry: heartbeats, catalogues, dossier lifecycles with realistic mixes,
 * duplicates, reordering and late events, some units on the legacy feed, daily totals for reconciliation,
 * and faults that leave chosen units not fully connected. Everything goes through the HTTP API. Returns the
 * ground truth, computed by a plain model that shares no code with the pipeline.
 */
export async function simulate(options: SimulateOptions): Promise<GroundTruth> {
  const { requests, truth } = planSimulation(options);
  await send(options, requests);
  return truth;
}

/** Everything a run sends, and its ground truth, without sending anything: the scenario is pure. */
export function planSimulation(options: Omit<SimulateOptions, 'url' | 'keys' | 'progress' | 'concurrency'>): {
  requests: Request[];
  truth: GroundTruth;
} {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const faults = { ...DEFAULT_FAULTS, ...options.faults };
  // Units on a legacy sender send nothing but their feed, which works: they are among the connected.
  const order = [...options.units].filter((u) => u.sender === undefined).sort(() => random() - 0.5);
  const faultOf = new Map<string, Fault>();
  for (const [fault, count] of Object.entries(faults) as [Fault, number][]) {
    // The units the seed articles name by score are connected: they are ranked in the articles.
    const eligible = order.filter(
      (u) =>
        !faultOf.has(u.unitCode) &&
        NAMED[u.name] === undefined &&
        (fault !== 'heartbeat_missing' || (u.systems?.length ?? 0) > 1) &&
        // A coverage fault needs enough flow to be judged, and a stopped feed a rhythm to stop: a province,
        // the larger kind.
        ((!fault.startsWith('coverage_') && fault !== 'feed_interrupted') || u.kind === 'province'),
    );
    for (const unit of eligible.slice(0, count)) faultOf.set(unit.unitCode, fault);
  }
  const sending = options.units.filter((u) => faultOf.get(u.unitCode) !== 'never_connected');
  const legacyUnits = new Set(
    sending
      .filter((u) => !faultOf.has(u.unitCode) && u.sender === undefined)
      .slice(0, options.legacyUnits ?? 5)
      .map((u) => u.unitCode),
  );
  const weights = sending.map((u) => (u.kind === 'province' ? 2 + random() * 4 : 0.5 + random()));
  // The index each unit is meant to reach (calibration.ts), and the quality of its dossiers that gives it.
  // Only fully connected units are ranked, so the seed's averages are spread over those; a unit with a fault
  // sends dossiers of middling quality.
  const scores = intendedScores(sending.filter((u) => u.sender === undefined && !faultOf.has(u.unitCode)));
  const intents: DossierIntent[] = [];
  // A unit's outcome shares come from low-discrepancy sequences (the n-th value of a stream is n × an
  // irrational, mod 1), counted over the dossiers a share applies to, so that even a unit of a few dozen
  // dossiers gets the shares it is meant to have.
  const drawn = new Map<string, number>();
  const offsets = new Map(sending.map((u) => [u.unitCode, random()]));
  const nextShare = (unitCode: string, stream: string, alpha: number): number => {
    const key = `${unitCode}|${stream}`;
    const n = (drawn.get(key) ?? 0) + 1;
    drawn.set(key, n);
    return (n * alpha + (offsets.get(unitCode) ?? 0)) % 1;
  };
  const todayStart = Date.parse(`${vnDay(options.now)}T00:00:00+07:00`);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const now = options.now;
  const start = now - options.days * 24 * HOUR;
  /** A stopped feed's history before it stopped: the run's days, and at least two weeks. */
  const feedHistoryMs = Math.max(now - start, 14 * 24 * HOUR);

  const events: UnitEvent[] = [];
  const legacyOnly: LegacyOnlyDossier[] = [];
  /**
   * A dossier of a legacy-only unit: received on a day of the simulated period (sent now, so a backfill),
   * then processed and often resolved, each status change posted as its vendor's code builds it. Its level
   * and fee are its procedure's in the unit's catalogue, as in the unit's own system: only a dossier of a
   * fee-bearing procedure is ever paid. The event beside each request is what a correct pipeline reads from
   * that request, by the vendor's documented folding, and from the catalogue where the vendor drops a fact
   * and the catalogue was synced (`legacyDerived`).
   */
  const legacyOnlyDossier = (
    sender: SenderProfileName,
    given: Omit<UnitEvent, 'eventId' | 'status' | 'occurredAt'>,
    sequence: number,
    channel: 1 | 2 | 3,
  ): LegacyOnlyDossier => {
    const receiptDay = vnDay(start + Math.floor(random() * (now - start)));
    const dossierCode = `${given.agencyCode}-${receiptDay.slice(2).replaceAll('-', '')}-${String(sequence).padStart(6, '0')}`;
    const base = { ...given, dossierCode };
    const lifecycle = random() < 0.6 ? [2, 4, 9, 10] : [2, 4];
    const procedure = CATALOG.find((p) => p.procedureCode === base.procedureCode);
    const onlineLevel = procedure?.onlineLevel ?? 'none';
    const fee = procedure?.feeBearing ?? false;
    // Drawn for every dossier, so the scenario's later draws stay as they were; kept only where a fee is due.
    const paidDraw = random() < 0.3 ? pick(['online', 'cash'] as const) : undefined;
    const paid = fee ? paidDraw : undefined;
    const truth: TrueDossier = {
      dossierCode,
      procedureCode: base.procedureCode,
      procedureName: 'Thủ tục hành chính',
      status: 2,
      channel,
      onlineLevel,
      paid,
      resultByPost: random() < 0.1,
      fromNationalPortal: channel === 2 && random() < 0.3,
      officer: 'canbo01',
    };
    const receivedAt = Math.min(dayStartOf(dossierCode), now);
    const sends = lifecycle.map((status) => {
      const request =
        sender === 'opencps' ? openCpsForm({ ...truth, status }) : dotNetJson({ ...truth, status });
      const meant =
        sender === 'opencps'
          ? ({ 2: 2, 4: 4, 9: 4, 10: 10 } as Record<number, number>)[status]
          : status === 9
            ? 10
            : status;
      const event: UnitEvent = {
        ...base,
        eventId: `${dossierCode}-${sender}-${meant}`,
        status: meant ?? 1,
        occurredAt: now,
        receivedAt,
        channel: sender === 'opencps' ? (channel === 2 ? 2 : 1) : channel === 1 ? 1 : 2,
        resultByPost: truth.resultByPost,
      };
      const derived = legacyDerived(sender, { onlineLevel, fee, paid }, options.legacyCatalogued === true);
      if (derived.onlineLevel !== undefined) event.onlineLevel = derived.onlineLevel;
      if (derived.payment !== undefined) event.payment = { ...derived.payment, amountVnd: 0 };
      if (sender === 'dichvucong-dotnet') event.fromNationalPortal = truth.fromNationalPortal;
      return { request, event };
    });
    return { unitCode: base.unitCode, sends };
  };
  const legacyRecords: { unitCode: string; record: Record<string, string>; event: UnitEvent }[] = [];
  // Every sending unit gets a few dossiers first, so none is left without a feed by chance at small
  // volumes; the rest follow the units' weights.
  const guaranteed = options.dossiers >= 4 * sending.length ? 2 * sending.length : 0;
  for (let d = 0; d < options.dossiers; d++) {
    let r = random() * totalWeight;
    let unit = sending[d % Math.max(1, sending.length)] as UnitInput;
    for (let i = 0; d >= guaranteed && i < sending.length; i++) {
      r -= weights[i] ?? 0;
      if (r <= 0) {
        unit = sending[i] as UnitInput;
        break;
      }
    }
    const drawnAgency = pick(
      unit.agencies ?? [{ agencyCode: `000.00.10.${unit.unitCode}`, name: '', level: '' }],
    );
    // A unit with the agencies fault sends every dossier from its first agency; the others stay silent.
    const agency =
      faultOf.get(unit.unitCode) === 'coverage_agencies' ? (unit.agencies?.[0] ?? drawnAgency) : drawnAgency;
    const dossierCode = `${agency.agencyCode}-${vnDay(start).slice(2).replaceAll('-', '')}-${String(d).padStart(6, '0')}`;
    const procedureCode = `1.00${String(1000 + Math.floor(random() * random() * 40)).padStart(4, '0')}`;
    const channel =
      nextShare(unit.unitCode, 'channel', 0.5772156649) < ONLINE_SHARE ? 2 : random() < 0.05 ? 3 : 1;
    const onlineLevel = pick(['full', 'full', 'partial', 'none'] as const);
    const base = { unitCode: unit.unitCode, dossierCode, procedureCode, agencyCode: agency.agencyCode };
    if (unit.sender !== undefined) {
      legacyOnly.push(legacyOnlyDossier(unit.sender, base, d, channel));
      continue;
    }
    if (legacyUnits.has(unit.unitCode) && random() < 0.5) {
      // A receipt through the generic feed: received on the day its code names, by the channel of
      // formsReception; isDVCBC says only that the result goes by post.
      const event: UnitEvent = {
        ...base,
        eventId: 'legacy',
        status: 2,
        occurredAt: now,
        receivedAt: Math.min(dayStartOf(dossierCode), now),
        channel: channel === 2 ? 2 : 1,
        onlineLevel,
        payment: { required: false, online: false, amountVnd: 0 },
        fromNationalPortal: false,
        resultByPost: channel === 3,
      };
      legacyRecords.push({
        unitCode: unit.unitCode,
        event,
        record: {
          codeProfile: dossierCode,
          siteId: unit.unitCode.slice(1),
          codeTTHC: procedureCode,
          nameTTHC: 'Thủ tục',
          status: '1',
          formsReception: channel === 2 ? '1' : '2',
          formsPayments: '0',
          level: onlineLevel === 'full' ? '4' : onlineLevel === 'partial' ? '3' : '2',
          isFromDVCQG: '0',
          isDVCBC: channel === 3 ? '1' : '0',
        },
      });
      continue;
    }
    const q = qualityFor(scores.get(unit.unitCode) ?? 60);
    const draw = (stream: string, alpha: number): number => nextShare(unit.unitCode, stream, alpha);
    // The channel and level drawn above are the dossier's; the rest of its intent is drawn here, before any
    // event is written: whether a fee is paid online, whether it is meant to be on time, and its timing.
    const receivedAt = start + Math.floor(random() * (now - start - 2 * HOUR));
    const dueAt = random() < 0.03 ? null : receivedAt + Math.floor(48 + random() * 200) * HOUR;
    const fee = random() < 0.4;
    const paidOnline = fee && draw('paid', 0.6180339887) < 0.5 * q;
    const amount = pick([20_000, 50_000, 100_000, 250_000]);
    // Only a dossier due before today can be judged: it is on time, late, or open and overdue. One due
    // later is still being processed at the end of the run, so it is outside the on-time rate either way.
    const judged = dueAt !== null && dueAt < todayStart;
    const meantOnTime = judged && draw('onTime', 0.4142135624) < q;
    const supplements = meantOnTime ? (random() < 0.15 ? 1 : 0) : random() < 0.2 ? 2 : 0;
    const fromNationalPortal = channel === 2 && random() < 0.3;
    const span = dueAt === null ? Math.floor(24 + random() * 200) * HOUR : dueAt - receivedAt;
    const margin = Math.min(Math.floor(1 + random() * 72) * HOUR, span - HOUR);
    const resolveAt =
      dueAt === null
        ? receivedAt + HOUR + Math.floor(random() * (span - HOUR))
        : !judged
          ? now + margin
          : meantOnTime
            ? dueAt - margin
            : dueAt + margin;
    const times: [status: number, at: number, id: string][] = [
      [2, receivedAt, '2'],
      [4, receivedAt + Math.floor((resolveAt - receivedAt) * 0.1), '4'],
      ...Array.from({ length: supplements }, (_, k): [number, number, string] => [
        5,
        receivedAt + Math.floor((resolveAt - receivedAt) * (0.2 + 0.2 * k)),
        `5-${k + 1}`,
      ]),
      [9, resolveAt, '9'],
      [10, resolveAt + Math.floor(1 + random() * 24) * HOUR, '10'],
    ];
    // A unit with the closure fault never sends an end status: its dossiers stay open past their due date.
    const neverEnds = faultOf.get(unit.unitCode) === 'coverage_closure';
    const sent = times.filter(([status, at]) => at <= now - 60_000 && !(neverEnds && status >= 9));
    const resolvedSent = sent.some(([status]) => status === 9);
    // Shares of the dossiers they apply to: digitised of those resolved; three in ten of those returned
    // rate, and 0.9 q of those are satisfied.
    const digitized = resolvedSent && draw('digitized', 0.7320508076) < 0.8 * q;
    const rated = sent.some(([status]) => status === 10) && draw('rated', 0.3183098862) < 0.3;
    const rating = rated
      ? draw('satisfied', 0.1415926536) < 0.9 * q
        ? pick([4, 5])
        : pick([1, 2, 3])
      : undefined;
    // A unit whose feed stopped had all of its dossiers over the weeks before it stopped, nine days before
    // the run, then none: its history shows its rhythm, and the silence since is longer than it allows. Each
    // dossier moves back whole, by at least the nine days. Its procedures state no due date, so the dossiers
    // it left open are not also a closure failure.
    const stopped = faultOf.get(unit.unitCode) === 'feed_interrupted';
    const shift = stopped
      ? FEED_STOP_MS + Math.round((now - receivedAt) * (feedHistoryMs / (now - start) - 1))
      : 0;
    const due = stopped ? null : dueAt;
    intents.push({
      unitCode: unit.unitCode,
      agencyCode: agency.agencyCode,
      procedureCode,
      receivedAt: receivedAt - shift,
      channel,
      onlineLevel,
      fromNationalPortal,
      fee,
      paidOnlineVnd: paidOnline ? amount : undefined,
      dueAt: due,
      supplements,
      resolvedAt: resolvedSent ? resolveAt - shift : undefined,
      digitized,
      rating,
    });
    for (const [status, at, id] of sent) {
      const event: UnitEvent = {
        ...base,
        eventId: `${dossierCode}-${id}`,
        status,
        occurredAt: at - shift,
        receivedAt: receivedAt - shift,
        channel,
        onlineLevel,
        fromNationalPortal,
        ...(due === null ? { noDueDate: true } : { dueAt: due }),
      };
      // The fee is settled once, at receipt: one payment event, whose amount is the dossier's.
      if (fee && status === 2)
        event.payment = { required: true, online: paidOnline, amountVnd: paidOnline ? amount : 0 };
      if (status >= 9) {
        event.supplementRequests = supplements;
        event.digitized = digitized;
        event.electronicResult = digitized;
      }
      if (status === 10 && rating !== undefined) event.satisfaction = rating;
      events.push(event);
    }
  }

  // A unit that leaves days out of its totals has a dossier on one of them, so the days it skips are
  // never all empty, even at small volumes.
  const evaluateAt = options.evaluateAt ?? now;
  const extras: (typeof events)[number][] = [];
  for (const [unitCode, fault] of faultOf) {
    if (fault !== 'reconciliation_unreported') continue;
    const unit = options.units.find((u) => u.unitCode === unitCode);
    const agencyCode = unit?.agencies?.[0]?.agencyCode ?? `000.00.10.${unitCode}`;
    const receivedAt = dayStart(evaluateAt) - 3 * 24 * HOUR + 10 * HOUR;
    const dossierCode = `${agencyCode}-${vnDay(receivedAt).slice(2).replaceAll('-', '')}-900000`;
    const extra: QueuedEvent & { unitCode: string } = {
      unitCode,
      dossierCode,
      procedureCode: '1.001000',
      agencyCode,
      eventId: `${dossierCode}-2`,
      status: 2,
      occurredAt: receivedAt,
      receivedAt,
      channel: 1,
      onlineLevel: 'none',
    };
    events.push(extra);
    extras.push(extra);
  }
  // Dossiers sent through the API are counted from their intents. Those sent through a legacy feed, and the
  // extra dossiers above, are counted by the plain model from what each record can say.
  const legacyEvents = [
    ...extras,
    ...legacyRecords.map((l) => l.event),
    ...legacyOnly.flatMap((d) => d.sends.flatMap((s) => (s.event ? [s.event] : []))),
  ];
  const model = mergeInto(intendedCounters(intents), expectedCounters(legacyEvents));
  const today = vnDay(evaluateAt);
  const month = Number(today.slice(5, 7));
  const monthsFrom = (first: number): string[] =>
    Array.from(
      { length: month - first + 1 },
      (_, i) => `${today.slice(0, 4)}-${String(first + i).padStart(2, '0')}`,
    );
  const yearMonths = monthsFrom(1);
  const quarterMonths = monthsFrom(month - ((month - 1) % 3));

  const requests: Request[] = [];
  const json = (unitCode: string, method: string, path: string, body: unknown): void => {
    requests.push({ unitCode, method, path, body: JSON.stringify(body), contentType: 'application/json' });
  };
  let duplicates = 0;
  for (const dossier of legacyOnly) {
    for (const send of dossier.sends)
      requests.push({
        unitCode: dossier.unitCode,
        method: 'POST',
        path: '/v1/compat/emc/{siteKey}/TrackingMCDT',
        ...send.request,
      });
  }
  for (const unit of sending) {
    const code = unit.unitCode;
    if (unit.sender !== undefined) continue;
    const fault = faultOf.get(code);
    const systems = fault === 'heartbeat_missing' ? (unit.systems ?? []).slice(0, -1) : (unit.systems ?? []);
    for (const systemId of systems)
      json(code, 'POST', '/v1/heartbeats', { systemId, sentAt: iso(now), softwareVersion: 'sim-1.0' });
    if (fault !== 'catalog_missing') {
      json(code, 'PUT', '/v1/catalog', { procedures: CATALOG });
    }
    const own = events.filter((e) => e.unitCode === code);
    // Out of order: each unit's events are shuffled, and a tail of older ones arrives last (a backfill).
    const shuffled = own
      .map((e) => ({ e, k: random() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.e);
    const resent = shuffled.filter(() => random() < 0.03);
    duplicates += resent.length;
    const stream = [...shuffled, ...resent];
    for (let i = 0; i < stream.length; i += 400) {
      json(code, 'POST', '/v1/dossier-events', {
        events: stream
          .slice(i, i + 400)
          .map(({ unitCode: _unit, occurredAt, receivedAt, dueAt, ...rest }) => ({
            ...rest,
            occurredAt: iso(occurredAt),
            ...(receivedAt === undefined ? {} : { receivedAt: iso(receivedAt) }),
            ...(dueAt === undefined ? {} : { dueAt: iso(dueAt) }),
          })),
      });
    }
    for (const legacy of legacyRecords.filter((l) => l.unitCode === code)) {
      requests.push({
        unitCode: code,
        method: 'POST',
        path: '/v1/compat/emc/{siteKey}/TrackingMCDT',
        body: new URLSearchParams(legacy.record).toString(),
        contentType: 'application/x-www-form-urlencoded',
      });
    }
    // Totals for the 7 days before the evaluation's day (all of them complete by then); a unit with the
    // unreported fault posts only the first, leaving out days on which it had dossiers.
    const days = Array.from({ length: 7 }, (_, i) => vnDay(evaluateAt - (i + 1) * 24 * HOUR))
      .slice(0, fault === 'reconciliation_unreported' ? 1 : 7)
      .map((date) => {
        const count = (counter: string) => model.get(`${code}|${date}|U|${counter}`) ?? 0;
        const received = count('received');
        return {
          date,
          received: fault === 'reconciliation_mismatch' ? Math.round(received * 1.2) + 5 : received,
          receivedOnline: count('receivedOnline'),
          resolved: count('resolved'),
          resolvedOnTime: count('resolvedOnTime'),
        };
      });
    json(code, 'POST', '/v1/daily-totals', { days });
  }

  const units: GroundTruth['units'] = {};
  for (const unit of options.units) {
    const fault = faultOf.get(unit.unitCode) ?? null;
    const overdue = (...months: string[]): number =>
      overdueOpen(intents, unit.unitCode, (day) => months.includes(day.slice(0, 7)), today);
    const coverage = intendedCoverage(
      model,
      unit.unitCode,
      (unit.agencies ?? []).map((a) => a.agencyCode),
      fault === 'catalog_missing' ? [] : ONLINE_PROCEDURES,
      today,
    );
    // Coverage and the feed's rhythm are judged for the API's units that sent something; a legacy sender has
    // rules of its own.
    const judged = unit.sender === undefined && fault !== 'never_connected';
    const stopped = judged && intendedFeedStopped(model, unit.unitCode, today, HOLIDAYS);
    const reasons = [
      ...(stopped ? ['dossier_feed_interrupted'] : []),
      ...(fault === null ? [] : REASONS[fault](unit)),
      ...(judged ? coverageReasonCodes(coverage) : []),
    ];
    units[unit.unitCode] = {
      status:
        fault === 'never_connected'
          ? 'never_connected'
          : stopped
            ? 'interrupted'
            : reasons.length === 0
              ? 'connected'
              : 'partial',
      reasons,
      coverage,
      fault,
      today: figures(model, unit.unitCode, [today], 0),
      monthToDate: figures(model, unit.unitCode, [today.slice(0, 7)], overdue(today.slice(0, 7))),
      quarterToDate: figures(model, unit.unitCode, quarterMonths, overdue(...quarterMonths)),
      yearToDate: figures(model, unit.unitCode, yearMonths, overdue(...yearMonths)),
      score: { scaled: null, measuredMax: 0 },
      intendedScore: scores.get(unit.unitCode) ?? null,
    };
    const entry = units[unit.unitCode];
    if (entry) {
      const y = entry.yearToDate;
      entry.score = intendedScore({
        onTimeRate: share(y.dossiersOnTime, y.onTimeDenominator),
        onlineRate: share(y.dossiersReceivedOnline, y.dossiersReceived),
        onlinePaymentRate: share(y.onlinePayments, y.dossiersWithFee),
        digitizedRate: share(y.dossiersDigitized, y.dossiersResolved),
        satisfactionRate: share(y.satisfiedRatings, y.ratings),
      });
    }
  }
  const byKind: GroundTruth['byKind'] = {};
  for (const kind of new Set(options.units.map((u) => u.kind))) {
    // As published: a unit that is not fully connected is not ranked.
    const banded = options.units
      .filter((u) => u.kind === kind && units[u.unitCode]?.status === 'connected')
      .map((u) => units[u.unitCode]?.score)
      .filter((s): s is { scaled: number; measuredMax: number } => s?.scaled != null && s.measuredMax >= 60);
    byKind[kind] = {
      average: banded.length > 0 ? banded.reduce((sum, s) => sum + s.scaled, 0) / banded.length : null,
      scored: banded.length,
      fairOrBetter: banded.filter((s) => s.scaled >= 70).length,
    };
  }
  const nationalYtd = options.units
    .map((u) => units[u.unitCode]?.yearToDate)
    .filter((f): f is ExpectedFigures => f !== undefined);
  const total = (name: keyof ExpectedFigures) => nationalYtd.reduce((s, f) => s + f[name], 0);
  const yearToDate = Object.fromEntries(
    (Object.keys(nationalYtd[0] ?? {}) as (keyof ExpectedFigures)[]).map((name) => [name, total(name)]),
  ) as unknown as ExpectedFigures;
  const truth: GroundTruth = {
    seed: options.seed,
    generatedAt: new Date(now).toISOString(),
    registered: options.units.length,
    connected: Object.values(units).filter((u) => u.status === 'connected').length,
    units,
    national: {
      yearToDate,
      onlineRate:
        yearToDate.dossiersReceived > 0
          ? yearToDate.dossiersReceivedOnline / yearToDate.dossiersReceived
          : null,
    },
    sent: {
      requests: requests.length,
      events: events.length + duplicates,
      duplicates,
      legacy: legacyRecords.length + legacyOnly.reduce((n, d) => n + d.sends.length, 0),
    },
    byKind,
  };
  return { requests, truth };
}

/** Sends the planned requests, retrying what the API asks to be retried. */
async function send(options: SimulateOptions, requests: readonly Request[]): Promise<void> {
  let done = 0;
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, async () => {
      while (next < requests.length) {
        const request = requests[next++] as Request;
        const key = options.keys.get(request.unitCode) ?? '';
        const path = request.path.replace('{siteKey}', encodeURIComponent(key));
        for (let attempt = 0; ; attempt++) {
          // A well-behaved sender: it waits and sends again when told to (429, 503, with Retry-After) or when
          // the connection fails, and gives up on anything else.
          const answer = await fetch(`${options.url}${path}`, {
            method: request.method,
            headers: { authorization: `Bearer ${key}`, 'content-type': request.contentType },
            body: request.body,
          }).then(
            async (response) => ({ response, text: await response.text() }),
            (error: unknown) => ({ response: undefined, text: String(error) }),
          );
          if (answer.response?.ok) break;
          const status = answer.response?.status;
          if ((status === undefined || RETRIED.has(status)) && attempt < 15) {
            const told = Number(answer.response?.headers.get('retry-after') ?? 0) * 1000;
            await new Promise((resolve) =>
              setTimeout(resolve, Math.min(3000, Math.max(told, 200 * (attempt + 1)))),
            );
            continue;
          }
          failures.push(
            `${request.method} ${request.path} for ${request.unitCode}: ${status ?? 'no answer'} ${answer.text.slice(0, 300)}`,
          );
          break;
        }
        options.progress?.(++done, requests.length);
      }
    }),
  );
  if (failures.length > 0)
    throw new Error(`The API refused ${failures.length} request(s); first: ${failures[0]}`);
}
