import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../../../shared/config/settings.ts';
import { evaluate } from '../../../../shared/domain/evaluation/evaluate.ts';
import { prng } from '../../../../simulator/random.ts';
import {
  InMemoryEvaluationReader,
  InMemoryRegistry,
  InMemorySnapshots,
  InMemoryStatusStore,
  RecordingAlerts,
} from '../../../fakes/evaluation.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const START = Date.parse('2026-11-16T00:00:00+07:00'); // a Monday
const END = START + 7 * 24 * HOUR;

/** The outages injected into the week: no heartbeat from `from` to `to`. */
const OUTAGES = [
  { from: Date.parse('2026-11-17T10:00:00+07:00'), to: Date.parse('2026-11-17T12:00:00+07:00') },
  { from: Date.parse('2026-11-19T03:00:00+07:00'), to: Date.parse('2026-11-19T04:15:00+07:00') },
  { from: Date.parse('2026-11-21T14:00:00+07:00'), to: Date.parse('2026-11-21T20:00:00+07:00') },
];
/** A long gap that is not an outage: 35 minutes without a heartbeat, seen late by one evaluation at most. */
const LONG_GAP = {
  from: Date.parse('2026-11-18T15:00:00+07:00'),
  to: Date.parse('2026-11-18T15:35:00+07:00'),
};

/**
 * A week of one system's heartbeats, every 300 s with jitter (−45 s to +90 s), one in 30 lost on the way,
 * now and then four in a row lost (about 25 minutes without one), the long gap, and the outages.
 */
function heartbeats(seed: number): number[] {
  const random = prng(seed);
  const out: number[] = [];
  const silent = (t: number) => [...OUTAGES, LONG_GAP].some((o) => t >= o.from && t < o.to);
  for (let t = START - 10 * MINUTE; t < END; t += 300 * SECOND + Math.floor((random() * 135 - 45) * SECOND)) {
    if (silent(t)) continue;
    const roll = random();
    if (roll < 1 / 30) continue;
    if (roll < 1 / 30 + 0.004) {
      t += 3 * 300 * SECOND;
      continue;
    }
    out.push(t);
  }
  return out;
}

/** Evaluates every 15 minutes (each run starting up to 40 s late) and returns every alert published. */
async function replay(config: Settings, seed: number) {
  const random = prng(seed + 1);
  const beats = heartbeats(seed);
  // The unit's dossiers arrive every day: its feed is real flow all week.
  const reader = new InMemoryEvaluationReader();
  for (let day = 15; day <= 22; day++)
    reader.addCounters('H48', '000.00.10.H48', `2026-11-${day}`, { received: 5 });
  const registry = new InMemoryRegistry([
    { unitCode: 'H48', name: 'Bắc Ninh', kind: 'province', systems: ['tthc'] },
  ]);
  const statuses = new InMemoryStatusStore();
  const alerts = new RecordingAlerts();
  const snapshots = new InMemorySnapshots();
  let next = 0;
  for (let slot = START; slot < END; slot += 15 * MINUTE) {
    const at = slot + Math.floor(random() * 40 * SECOND);
    while (next + 1 < beats.length && (beats[next + 1] ?? Infinity) <= at) next++;
    const last = beats[next];
    reader.setSignals('H48', {
      heartbeats: new Map(last !== undefined && last <= at ? [['tthc', last]] : []),
      lastDossierEventAt: at - 7 * MINUTE,
      catalog: { syncedAt: START - 24 * HOUR, procedures: 40, online: 30, fullOnline: 20 },
    });
    await evaluate({ config, registry, reader, statuses, alerts, snapshots, at, now: at });
  }
  return alerts.published.filter((a) => a.kind !== 'daily_digest' && a.kind !== 'weekly_digest');
}

describe('a week of jittered heartbeats with gaps, evaluated every 15 minutes', { timeout: 60_000 }, () => {
  const config = loadSettings({});

  it.each([2024, 7, 83])('alerts exactly the injected outages and nothing else (seed %i)', async (seed) => {
    const alerts = await replay(config, seed);
    const changes = alerts.map((a) => ({ kind: a.kind, ...(a.data as { to: string; at: string }) }));
    // The first verdict (connected) goes into the digest; then exactly one alert per change.
    expect(changes.map((c) => `${c.kind} ${c.to}`)).toEqual(
      OUTAGES.flatMap(() => ['status_change interrupted', 'status_change connected']),
    );
    // Each interruption is alerted during its outage, each recovery after it ends (within the hour).
    for (const [index, outage] of OUTAGES.entries()) {
      const lost = Date.parse(changes[2 * index]?.at ?? '');
      const back = Date.parse(changes[1 + 2 * index]?.at ?? '');
      expect(lost).toBeGreaterThan(outage.from);
      expect(lost).toBeLessThan(outage.to);
      expect(back).toBeGreaterThanOrEqual(outage.to);
      expect(back).toBeLessThan(outage.to + HOUR);
    }
  });

  it('would flap on the long gap with one evaluation deciding alone (the rule this week tests)', async () => {
    const once = loadSettings({});
    once.compliance.stability.confirmations = 1;
    const alerts = await replay(once, 2024);
    expect(alerts.length).toBeGreaterThan(2 * OUTAGES.length);
  });
});
