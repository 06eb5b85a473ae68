import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../local/demo.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import type { LatestSnapshot } from '../../shared/schemas/snapshot.ts';
import { demoRegistry } from '../../simulator/registry.ts';
import { emc, settle } from '../helpers/emc.ts';

/** `emc` against the stack's data directory, asynchronously: the stack's servers run in this process. */
/**
 * The demo left running across Vietnam's midnight at a month end: each unit posts the day just ended, as a
 * real unit does, so the units that posted totals once do not all turn "reconciliation_unreported" at 00:00.
 */
describe('the living demo across midnight at the end of November', () => {
  const nightDir = mkdtempSync(join(tmpdir(), 'emc-demo-night-'));
  let night: Stack;
  beforeAll(async () => {
    night = await startStack({
      dataDir: nightDir,
      clock: ShiftedClock.startingAt(Date.parse('2026-11-30T23:59:15+07:00')),
    });
    const registry = new DynamoRegistry(night.file.tables.state);
    for (const unit of demoRegistry()) await registry.putUnit(unit);
  });
  afterAll(async () => {
    await night?.stop();
    rmSync(nightDir, { recursive: true, force: true });
  });

  it("posts 30 November's totals after midnight, and they equal what was counted", async () => {
    const lines: string[] = [];
    const demo = await startDemo({
      url: night.url,
      tables: night.file.tables,
      dataDir: nightDir,
      clock: night.clock,
      log: (line: string) => lines.push(line),
      dossiers: 400,
      eventsPerSecond: 60,
      heartbeatEverySeconds: 10,
      settle: () => settle(night),
    });
    await demo.backfilled;
    const posted = (): Record<string, string> =>
      (
        JSON.parse(readFileSync(join(nightDir, 'demo.json'), 'utf8')) as {
          tallies: { postedThrough: Record<string, string> };
        }
      ).tallies.postedThrough;
    const faults = (
      JSON.parse(readFileSync(join(nightDir, 'demo.json'), 'utf8')) as {
        faults: Record<string, string | null>;
      }
    ).faults;
    const reporting = Object.entries(faults)
      .filter(
        ([code, fault]) =>
          fault === null && demoRegistry().find((u) => u.unitCode === code)?.sender === undefined,
      )
      .map(([code]) => code);
    for (let waited = 0; reporting.some((code) => posted()[code] !== '2026-11-30'); waited += 1000) {
      if (waited > 180_000)
        throw new Error(`not posted: ${reporting.filter((c) => posted()[c] !== '2026-11-30')}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await demo.stop();
    expect(night.clock.now()).toBeGreaterThan(Date.parse('2026-12-01T00:00:00+07:00'));
    await settle(night);

    const snapshot = (await (await fetch(`${night.url}/snapshots/latest.json`)).json()) as LatestSnapshot;
    for (const code of reporting) {
      const row = snapshot.units.find((u) => u.unitCode === code);
      expect([
        code,
        row?.connection.reasons.map((r) => r.code).filter((c) => c.startsWith('reconciliation')),
      ]).toEqual([code, []]);
    }
    // Exactly, not only within the tolerance: for a few units, each figure of 30 November as reported and counted.
    for (const code of reporting.slice(0, 3)) {
      const rows = await emc(nightDir, [
        'reconcile',
        code,
        '--from',
        '2026-11-30',
        '--to',
        '2026-11-30',
        '--json',
      ]);
      expect(rows.status, rows.stderr).toBe(0);
      const parsed = JSON.parse(rows.stdout) as {
        figure: string;
        reported: number | null;
        counted: number;
      }[];
      expect(parsed.map((r) => [code, r.figure, r.reported])).toEqual(
        parsed.map((r) => [code, r.figure, r.counted]),
      );
    }
    expect(lines.filter((line) => line.startsWith('warning'))).toEqual([]);
  });
});
