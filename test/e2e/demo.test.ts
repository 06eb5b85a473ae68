import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../local/demo.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import type { LatestSnapshot } from '../../shared/schemas/snapshot.ts';
import { demoRegistry } from '../../simulator/registry.ts';
import { readScenario } from '../../simulator/scenario-record.ts';
import { type GroundTruth, historyReachMs } from '../../simulator/simulate.ts';
import { emc, settle } from '../helpers/emc.ts';

/** A Monday at 10:00 in Hanoi: office hours, so the live traffic runs at its full rate. */
const MONDAY_10 = Date.parse('2026-11-23T10:00:00+07:00');
const dataDir = mkdtempSync(join(tmpdir(), 'emc-demo-'));
let stack: Stack;
/** The time the demo goes on at, as `npm start`'s; the stack's clock starts before the history, as npm start's. */
const realClock = ShiftedClock.startingAt(MONDAY_10);

beforeAll(async () => {
  stack = await startStack({
    dataDir,
    clock: ShiftedClock.startingAt(MONDAY_10 - historyReachMs(14) - 3_600_000),
  });
  const registry = new DynamoRegistry(stack.file.tables.state);
  for (const unit of demoRegistry()) await registry.putUnit(unit);
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const latest = async (): Promise<LatestSnapshot> =>
  (await (await fetch(`${stack.url}/snapshots/latest.json`)).json()) as LatestSnapshot;

/** `emc` against a stack's data directory, asynchronously: the stack's servers run in this process. */
describe('the living demo behind npm start, against the local stack', () => {
  it('backfills the default scenario through the API once, then keeps live traffic flowing in office hours', async () => {
    const lines: string[] = [];
    const options = {
      url: stack.url,
      tables: stack.file.tables,
      dataDir,
      clock: stack.clock,
      log: (line: string) => lines.push(line),
      dossiers: 400,
      eventsPerSecond: 20,
      timeLapse: {
        clock: stack.clock,
        realNow: realClock.now,
        drained: () => stack.drained(300_000),
        evaluate: async () => {
          await stack.evaluateNow();
        },
        evaluationsPerStep: 1,
      },
      settle: async () => {
        stack.recordClock();
        await stack.drained(300_000);
        await stack.evaluateNow();
        await stack.evaluateNow();
      },
    };
    const demo = await startDemo(options);
    const backfill = await demo.backfilled;
    expect(backfill?.events).toBeGreaterThan(400);
    expect(lines.at(-1)).toContain('100%');
    expect(existsSync(join(dataDir, 'demo.json'))).toBe(true);
    // The scenario is recorded, so that `emc simulate` on this stack sends it again, and its truth is kept.
    const scenario = readScenario(dataDir);
    expect(scenario).toEqual({
      seed: 2024,
      dossiers: 400,
      days: 14,
      now: expect.any(String),
      history: 'time-lapse',
    });
    // The time lapse evaluated each day of the history's last week, then caught up with the real time.
    expect(lines.filter((line) => line.startsWith('time lapse: evaluated'))).toHaveLength(8);
    expect(stack.clock.now()).toBeGreaterThanOrEqual(realClock.now() - 1000);
    const anchor = Date.parse(scenario?.now ?? '');
    expect(anchor >= MONDAY_10 && anchor < MONDAY_10 + 10 * 60_000).toBe(true);
    const truth = JSON.parse(readFileSync(join(dataDir, 'ground-truth.json'), 'utf8')) as GroundTruth;
    expect([truth.seed, truth.history]).toEqual([2024, 'time-lapse']);
    const filled = await latest();
    // The seed article's 16 of 83 units are given a fault and are not fully connected; with only 400
    // dossiers a few others may have sent none at all, none in the last 48 hours, or none in the last 14 days,
    // and say exactly that.
    const state = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as {
      faults: Record<string, string | null>;
    };
    const faulty = Object.entries(state.faults).filter(([, fault]) => fault !== null);
    expect(faulty).toHaveLength(16);
    expect(filled.connection.registered).toBe(83);
    const downWithoutFault = filled.units.filter(
      (u) => u.connection.status !== 'connected' && state.faults[u.unitCode] === null,
    );
    expect(downWithoutFault.map((row) => [row.unitCode, row.connection.reasons.map((r) => r.code)])).toEqual(
      downWithoutFault.map((row) => [
        row.unitCode,
        [expect.stringMatching(/^dossier_feed_(silent|missing|thin)$/)],
      ]),
    );
    // Coverage and a feed's rhythm are judged only on enough flow, which 400 dossiers over 90 days are not,
    // and a heartbeat lost after a connected verdict needs the flow that made the unit connected first
    // (npm-start.test.ts checks those at the default volume); every other fault shows at any volume, with its
    // status and reason codes exactly as its ground truth has them. The stale catalogue arises only in the
    // time lapse: the API stamps a catalogue with its arrival.
    const atAnyVolume = new Set([
      'never_connected',
      'heartbeat_missing',
      'catalog_missing',
      'catalog_stale',
      'reconciliation_unreported',
      'reconciliation_mismatch',
    ]);
    // A unit of a few dozen dossiers may also have gone two days without one: that reason aside.
    const published = (code: string) => {
      const row = filled.units.find((u) => u.unitCode === code);
      const codes = row?.connection.reasons.map((r) => r.code);
      return [
        code,
        row?.connection.status,
        codes?.filter((c) => !/^dossier_feed_(silent|missing|thin)$/.test(c)),
      ];
    };
    const meant = faulty.filter(([, fault]) => atAnyVolume.has(fault ?? '')).map(([code]) => code);
    expect(meant).toHaveLength(11);
    expect(meant.map(published)).toEqual(
      meant.map((code) => [code, truth.units[code]?.status, truth.units[code]?.reasons]),
    );
    expect(meant.map(published)).toContainEqual([expect.any(String), 'partial', ['catalog_stale']]);
    // At least the scenario's 14 days of history, up to the Monday (a stopped feed's history reaches further back).
    const days = filled.national.series.filter((d) => d.dossiersReceived > 0).map((d) => d.date);
    expect([days[0] !== undefined && days[0] <= '2026-11-10', days.at(-1)]).toEqual([true, '2026-11-23']);
    const before = filled.national.kpis.today.dossiersReceived;

    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await demo.stop();
    await stack.drained();
    await stack.evaluateNow();
    const live = await latest();
    expect(live.national.kpis.today.dossiersReceived).toBeGreaterThan(before);
    expect(lines.filter((line) => line.startsWith('warning'))).toEqual([]);

    const again = await startDemo(options);
    expect(await again.backfilled).toBeNull();
    await again.stop();

    // `emc simulate` on the demo's stack sends the same scenario again: every figure and verdict stays.
    await settle(stack);
    const held = await latest();
    const replay = await emc(dataDir, ['simulate']);
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`already holds the scenario sent at ${scenario?.now} (seed 2024)`);
    expect(replay.stdout).toContain(`expected: ${truth.connected}/83 units fully connected`);
    await settle(stack);
    const after = await latest();
    expect(after.connection).toEqual(held.connection);
    expect(after.national.kpis.monthToDate).toEqual(held.national.kpis.monthToDate);
    // It sends at the real time, without the heartbeats and catalogue syncs its time lapse dated in the past:
    // the stale catalogue stays stale, a lost heartbeat stays lost.
    const row = (u: LatestSnapshot['units'][number]) => [
      u.unitCode,
      u.connection.status,
      u.connection.reasons.map((r) => r.code),
      u.kpis.monthToDate.dossiersReceived,
    ];
    expect(after.units.map(row)).toEqual(held.units.map(row));
    const stale = faulty.find(([, fault]) => fault === 'catalog_stale')?.[0];
    expect(after.units.find((u) => u.unitCode === stale)?.connection.reasons.map((r) => r.code)).toContain(
      'catalog_stale',
    );
  }, 1_200_000);
});
