import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DynamoKeyStore } from '../shared/adapters/dynamo-key-store.ts';
import { loadKeyPepper } from '../shared/adapters/key-pepper.ts';
import { settings } from '../shared/config/settings.ts';
import { issueKey } from '../shared/domain/auth/api-keys.ts';
import { dayOf } from '../shared/domain/time.ts';
import type { UnitInput } from '../shared/schemas/registry.ts';
import { prng } from '../simulator/random.ts';
import { demoRegistry } from '../simulator/registry.ts';
import { recordScenario } from '../simulator/scenario-record.ts';
import { DEFAULT_SEED, type Fault, SCALES, simulate } from '../simulator/simulate.ts';
import { DailyTallies, talliesStateSchema } from './demo-totals.ts';

/** The one clock the demo reads; the local stack passes its own, so a shifted clock shifts the demo too. */
export interface Clock {
  now(): number;
}

export interface DemoOptions {
  url: string;
  tables: { state: string; keys: string };
  dataDir: string;
  clock: Clock;
  log: (line: string) => void;
  /**
   * The first start's backfill: by default the simulator's default scenario (`emc simulate`'s), so that
   * `emc simulate` on this stack sends the same events again and its ground truth holds.
   */
  dossiers?: number;
  days?: number;
  /** How often every system sends its heartbeat and each unit posts the days it has not posted (300). */
  heartbeatEverySeconds?: number;
  /** Dossier events a second at the busiest hour of a working day. */
  eventsPerSecond?: number;
  seed?: number;
  /**
   * Runs after the backfill and before live traffic starts, so the backfill can be counted and published
   * while the queues can still drain.
   */
  settle?: () => Promise<void>;
}

export interface Demo {
  /** Resolves once the backfill (first start only) has been accepted by the API. */
  backfilled: Promise<{ seconds: number; events: number } | null>;
  stop(): Promise<void>;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const HEARTBEAT_EVERY = 5 * MINUTE;
const QUIET_EVERY = 60 * MINUTE;
const QUIET_FOR = 20 * MINUTE;

const stateSchema = z.object({
  backfilledAt: z.string(),
  faults: z.record(z.string(), z.string().nullable()),
  tallies: talliesStateSchema.optional(),
});

/**
 * How busy a unit's offices are at `ms`, from 0 to 1: Vietnam's working hours (7:30–11:30 and 13:30–17:00,
 * Monday to Friday) are busy, a Saturday morning less so, nights and Sundays nearly still.
 */
export function officeHoursWeight(ms: number): number {
  const local = new Date(ms + 7 * HOUR);
  const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
  const weekday = local.getUTCDay();
  const working = (minutes >= 450 && minutes < 690) || (minutes >= 810 && minutes < 1020);
  if (weekday === 0) return 0.02;
  if (weekday === 6) return working && minutes < 690 ? 0.3 : 0.02;
  return working ? 1 : 0.05;
}

const iso = (ms: number): string => new Date(ms + 7 * HOUR).toISOString().replace('Z', '+07:00');

interface Open {
  /** Tallied once the API accepted the dossier's receipt, and once it accepted its first end status. */
  receiptTallied?: boolean;
  resolutionTallied?: boolean;
  unitCode: string;
  dossierCode: string;
  procedureCode: string;
  agencyCode: string;
  receivedAt: number;
  dueAt: number;
  channel: 1 | 2;
  onlineLevel: 'full' | 'partial' | 'none';
  status: number;
}

/**
 * The living demo behind `npm start`: on the first start, the simulator's default scenario (calibrated to
 * the seed figures) goes through the real API (ingest, queues, workers); then live traffic follows office
 * hours, every system's heartbeat comes every five minutes, each unit posts the totals of the day just
 * ended after midnight, and once an hour one connected unit goes quiet long enough to be flagged, so
 * alerts happen.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { clock, log } = options;
  const units = demoRegistry();
  const random = prng(options.seed ?? 17);
  const store = new DynamoKeyStore(options.tables.keys);
  const pepper = await loadKeyPepper();
  const keys = new Map<string, string>();
  for (const unit of units) {
    const { key, record } = issueKey(pepper, unit.unitCode, clock.now());
    await store.put(record);
    keys.set(unit.unitCode, key);
  }

  const statePath = join(options.dataDir, 'demo.json');
  const offset = settings().time.utcOffsetMinutes;
  let faults = new Map<string, Fault | null>();
  let tallies = new DailyTallies(offset);
  const saveState = (backfilledAt: string): void =>
    writeFileSync(
      statePath,
      JSON.stringify(
        { backfilledAt, faults: Object.fromEntries(faults), tallies: tallies.toJSON() },
        null,
        2,
      ),
    );
  let backfilledAt = '';
  let stopped = false;
  const send = async (unitCode: string, method: string, path: string, body: unknown): Promise<boolean> => {
    if (stopped) return false;
    try {
      const response = await fetch(`${options.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${keys.get(unitCode) ?? ''}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      if (response.ok || response.status === 429) return response.ok;
      log(
        `warning: the demo's ${method} ${path} for ${unitCode} was refused (${response.status}); see the API log`,
      );
      return false;
    } catch (error) {
      if (!stopped)
        log(
          `warning: the demo could not reach the API: ${error instanceof Error ? error.message : String(error)}`,
        );
      return false;
    }
  };

  const backfill = async (): Promise<{ seconds: number; events: number } | null> => {
    if (existsSync(statePath)) {
      const state = stateSchema.parse(JSON.parse(readFileSync(statePath, 'utf8')));
      faults = new Map(Object.entries(state.faults) as [string, Fault | null][]);
      backfilledAt = state.backfilledAt;
      // A state written before tallies were kept: totals are posted from the next day on.
      tallies = new DailyTallies(offset, state.tallies);
      if (!state.tallies)
        for (const unit of units) tallies.postedBefore(unit.unitCode, dayOf(clock.now(), offset));
      return null;
    }
    const started = clock.now();
    const scenario = {
      seed: options.seed ?? DEFAULT_SEED,
      dossiers: options.dossiers ?? SCALES.demo.dossiers,
      days: options.days ?? SCALES.demo.days,
      now: started,
    };
    let shown = -1;
    const truth = await simulate({
      url: options.url,
      units,
      keys,
      ...scenario,
      concurrency: 4,
      progress: (done, total) => {
        const percent = Math.floor((done / total) * 10) * 10;
        if (percent === shown) return;
        shown = percent;
        log(
          `backfilling ${scenario.days} days of history through the API: ${percent}% (${done}/${total} requests)`,
        );
      },
    });
    faults = new Map(Object.entries(truth.units).map(([code, unit]) => [code, unit.fault]));
    // The scenario posted the totals of the days before its last; that day's share goes on the unit's tally.
    const lastDay = dayOf(started, offset);
    for (const [code, unit] of Object.entries(truth.units)) {
      tallies.postedBefore(code, lastDay);
      tallies.add(code, lastDay, {
        received: unit.today.dossiersReceived,
        receivedOnline: unit.today.dossiersReceivedOnline,
        resolved: unit.today.dossiersResolved,
        resolvedOnTime: unit.today.dossiersOnTime,
      });
    }
    backfilledAt = new Date(started).toISOString();
    recordScenario(options.dataDir, { ...scenario, now: backfilledAt });
    writeFileSync(join(options.dataDir, 'ground-truth.json'), JSON.stringify(truth, null, 2));
    saveState(backfilledAt);
    const seconds = (clock.now() - started) / 1000;
    return { seconds, events: truth.sent.events };
  };

  const open: Open[] = [];
  let sequence = 0;
  const quiet = new Map<string, number>();
  let lastHeartbeat = 0;
  let lastQuiet = clock.now();
  let catalogDay = '';
  const sending = (unit: UnitInput, at: number): boolean =>
    faults.get(unit.unitCode) !== 'never_connected' && (quiet.get(unit.unitCode) ?? 0) <= at;

  /** A unit whose feed stopped keeps its heartbeats and sends no more dossiers. */
  const sendsDossiers = (unit: UnitInput, at: number): boolean =>
    sending(unit, at) && faults.get(unit.unitCode) !== 'feed_interrupted';

  const heartbeats = async (at: number): Promise<void> => {
    const day = iso(at).slice(0, 10);
    const unitHeartbeats = async (unit: UnitInput): Promise<void> => {
      if (!sending(unit, at)) return;
      const fault = faults.get(unit.unitCode);
      const systems =
        fault === 'heartbeat_missing' ? (unit.systems ?? []).slice(0, -1) : (unit.systems ?? []);
      for (const systemId of systems)
        await send(unit.unitCode, 'POST', '/v1/heartbeats', {
          systemId,
          sentAt: iso(at),
          softwareVersion: 'demo-1.0',
        });
      // A legacy-only unit syncs no catalogue, as in the scenario: records it resent after a sync would
      // take the catalogue's level and fee, and the replayed scenario would no longer hold.
      if (catalogDay !== day && fault !== 'catalog_missing' && unit.sender === undefined)
        await send(unit.unitCode, 'PUT', '/v1/catalog', {
          procedures: Array.from({ length: 40 }, (_, i) => ({
            procedureCode: `1.00${String(1000 + i).padStart(4, '0')}`,
            name: `Thủ tục hành chính số ${i + 1}`,
            onlineLevel: i % 4 === 3 ? 'none' : i % 2 === 0 ? 'full' : 'partial',
            feeBearing: i % 3 === 0,
          })),
        });
    };
    for (let i = 0; i < units.length; i += 8) await Promise.all(units.slice(i, i + 8).map(unitHeartbeats));
    catalogDay = day;
  };

  /**
   * Once an hour, from the second hour on, one fully connected unit goes quiet for twenty minutes: long enough
   * to be flagged "interrupted" and alerted, then connected again. Only a unit that was connected can be
   * interrupted, so it must be one of those; the first hour shows the scenario's headline undisturbed.
   */
  const goQuiet = (at: number): void => {
    const candidates = units.filter((u) => faults.get(u.unitCode) === null && sending(u, at));
    const unit = candidates[Math.floor(random() * candidates.length)];
    if (unit) quiet.set(unit.unitCode, at + QUIET_FOR);
  };

  /** What the API accepted, on the unit's own tally: its receipt once, its first end status once. */
  const tally = (dossier: Open, status: number, at: number): void => {
    if (!dossier.receiptTallied) {
      dossier.receiptTallied = true;
      tallies.receipt(dossier.unitCode, dossier.receivedAt, dossier.channel === 2);
    }
    if (status >= 9 && !dossier.resolutionTallied) {
      dossier.resolutionTallied = true;
      tallies.resolution(dossier.unitCode, at, dossier.dueAt);
    }
  };

  /**
   * After Vietnam's midnight, each unit that posts totals posts the days it has not posted yet, as the
   * scenario's units do: a unit with the mismatch fault overstates its receipts as the scenario's does, one
   * with the unreported fault leaves out every other day, and legacy-only units post none.
   */
  const dailyTotals = async (at: number): Promise<void> => {
    for (const unit of units) {
      const fault = faults.get(unit.unitCode) ?? null;
      if (unit.sender !== undefined || fault === 'never_connected' || !sending(unit, at)) continue;
      const due = tallies.due(unit.unitCode, at);
      const last = due.at(-1);
      if (!last) continue;
      const days = due
        .filter((d) => fault !== 'reconciliation_unreported' || (Date.parse(d.date) / 86_400_000) % 2 === 0)
        .map(({ date, totals }) => ({
          date,
          ...totals,
          received:
            fault === 'reconciliation_mismatch' ? Math.round(totals.received * 1.2) + 5 : totals.received,
        }));
      if (days.length > 0 && !(await send(unit.unitCode, 'POST', '/v1/daily-totals', { days }))) continue;
      tallies.posted(unit.unitCode, last.date);
    }
    saveState(backfilledAt);
  };

  /** One second of dossier traffic: new receipts and the next step of some open dossiers. */
  const dossierTraffic = async (at: number): Promise<void> => {
    const expected = (options.eventsPerSecond ?? 4) * officeHoursWeight(at);
    let count = Math.floor(expected) + (random() < expected % 1 ? 1 : 0);
    const batches = new Map<string, { event: Record<string, unknown>; dossier: Open; at: number }[]>();
    const add = (unitCode: string, event: Record<string, unknown>, dossier: Open) =>
      batches.set(unitCode, [...(batches.get(unitCode) ?? []), { event, dossier, at }]);
    while (count-- > 0) {
      const advance = open.length > 0 && random() < 0.6;
      if (advance) {
        const index = Math.floor(random() * open.length);
        const dossier = open[index] as Open;
        const unit = units.find((u) => u.unitCode === dossier.unitCode);
        if (!unit || !sendsDossiers(unit, at)) continue;
        // A unit with the closure fault takes dossiers in but never sends an end status.
        if (dossier.status === 4 && faults.get(unit.unitCode) === 'coverage_closure') continue;
        dossier.status = dossier.status === 2 ? 4 : dossier.status === 4 ? 9 : 10;
        if (dossier.status === 10) open.splice(index, 1);
        add(
          dossier.unitCode,
          {
            eventId: `${dossier.dossierCode}-${dossier.status}`,
            dossierCode: dossier.dossierCode,
            procedureCode: dossier.procedureCode,
            agencyCode: dossier.agencyCode,
            status: dossier.status,
            channel: dossier.channel,
            onlineLevel: dossier.onlineLevel,
            occurredAt: iso(at),
            receivedAt: iso(dossier.receivedAt),
            ...(dossier.status >= 9 ? { dueAt: iso(dossier.dueAt) } : {}),
          },
          dossier,
        );
        continue;
      }
      const live = units.filter((u) => sendsDossiers(u, at));
      const unit = live[Math.floor(random() * live.length)];
      if (!unit) continue;
      const drawn = unit.agencies?.[Math.floor(random() * (unit.agencies?.length ?? 1))];
      // A unit with the agencies fault sends from its first agency only.
      const agency = faults.get(unit.unitCode) === 'coverage_agencies' ? unit.agencies?.[0] : drawn;
      const agencyCode = agency?.agencyCode ?? `000.00.10.${unit.unitCode}`;
      const dossier: Open = {
        unitCode: unit.unitCode,
        dossierCode: `${agencyCode}-${iso(at).slice(2, 10).replaceAll('-', '')}-L${String(sequence++).padStart(6, '0')}`,
        procedureCode: `1.00${String(1000 + Math.floor(random() * random() * 40)).padStart(4, '0')}`,
        agencyCode,
        receivedAt: at,
        dueAt: at + Math.floor(24 + random() * 200) * HOUR,
        channel: random() < 0.385 ? 2 : 1,
        onlineLevel: (['full', 'full', 'partial', 'none'] as const)[Math.floor(random() * 4)] ?? 'full',
        status: 2,
      };
      open.push(dossier);
      if (open.length > 5000) open.shift();
      add(
        unit.unitCode,
        {
          eventId: `${dossier.dossierCode}-2`,
          dossierCode: dossier.dossierCode,
          procedureCode: dossier.procedureCode,
          agencyCode,
          status: 2,
          channel: dossier.channel,
          onlineLevel: dossier.onlineLevel,
          occurredAt: iso(at),
          receivedAt: iso(at),
        },
        dossier,
      );
    }
    await Promise.all(
      [...batches].map(async ([code, sent]) => {
        if (!(await send(code, 'POST', '/v1/dossier-events', { events: sent.map((s) => s.event) }))) return;
        for (const { event, dossier } of sent) tally(dossier, Number(event.status), at);
      }),
    );
  };

  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();
  const tick = async (): Promise<void> => {
    const at = clock.now();
    const due = at - lastHeartbeat >= (options.heartbeatEverySeconds ?? HEARTBEAT_EVERY / 1000) * 1000;
    if (due) lastHeartbeat = at;
    if (at - lastQuiet >= QUIET_EVERY) {
      lastQuiet = at;
      goQuiet(at);
    }
    await Promise.all([due ? heartbeats(at) : Promise.resolve(), dossierTraffic(at)]);
    if (due) await dailyTotals(at);
  };
  const backfilled = backfill().then(async (result) => {
    if (result && !stopped) await options.settle?.();
    if (stopped) return result;
    timer = setInterval(() => {
      ticking = ticking.then(tick).catch((error: unknown) => {
        log(`warning: the demo traffic failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }, 1000);
    return result;
  });
  return {
    backfilled,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await ticking;
      if (backfilledAt) saveState(backfilledAt);
    },
  };
}
