import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/servers.ts';
import type { LatestSnapshot } from '../../shared/schemas/snapshot.ts';
import type { GroundTruth } from '../../simulator/simulate.ts';

/**
 * `npm start` as a newcomer runs it: a fresh data directory, the living demo, the default scenario. Until the
 * backfill is counted nothing is published (the dashboard says so); then the dashboard shows the scenario's
 * ground truth for every unit, and no alert was held, because no unit was judged before its history landed.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'emc-npm-start-'));
let child: ChildProcess | undefined;
const lines: string[] = [];

afterAll(async () => {
  // The whole process group: npx, tsx, and the servers the stack started.
  if (child?.pid !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
});

/** Resolves with the first console line that matches, once the process has printed it. */
function printed(pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const line = lines.find((l) => pattern.test(l));
      if (line) {
        clearInterval(timer);
        resolve(line);
      } else if (child?.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`npm start exited (${child?.exitCode}):\n${lines.join('\n')}`));
      }
    }, 250);
    setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`no line like ${pattern} in ${timeoutMs} ms:\n${lines.join('\n')}`));
    }, timeoutMs);
  });
}

describe('npm start on a fresh clone', () => {
  it('publishes nothing until the demo is counted, then the ground truth for every unit, with no alert held', async () => {
    const port = await freePort();
    child = spawn('npx', ['tsx', 'local/start.ts'], {
      // A fixed start on the stack's one clock: a run that crossed Vietnam's midnight would judge the scenario's
      // last day before the demo posts its totals.
      env: {
        ...process.env,
        PORT: String(port),
        EMC_DATA_DIR: dataDir,
        EMC_EVALUATE_EVERY: '60',
        EMC_NOW: '2026-11-18T10:00:00+07:00',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n')));

    await printed(/backfilling 14 days of history through the API: \d+%/, 240_000);
    const before = await fetch(`http://127.0.0.1:${port}/snapshots/latest.json`);
    expect(before.status).toBe(404);

    expect(await printed(/dashboard filled: \d+\/83/, 900_000)).toContain('dashboard filled: 67/83');
    const truth = JSON.parse(readFileSync(join(dataDir, 'ground-truth.json'), 'utf8')) as GroundTruth;
    const latest = (await (
      await fetch(`http://127.0.0.1:${port}/snapshots/latest.json`)
    ).json()) as LatestSnapshot;
    expect(latest.connection.connected).toBe(truth.connected);
    expect(
      latest.units.map((u) => [u.unitCode, u.connection.status, u.connection.reasons.map((r) => r.code)]),
    ).toEqual(
      latest.units.map((u) => [
        u.unitCode,
        truth.units[u.unitCode]?.status,
        truth.units[u.unitCode]?.reasons,
      ]),
    );
    const alerts = existsSync(join(dataDir, 'alerts.log'))
      ? readFileSync(join(dataDir, 'alerts.log'), 'utf8')
      : '';
    expect(alerts).not.toMatch(/alerts held/);
    expect(lines.filter((line) => /warning|No application metrics/.test(line))).toEqual([]);
  }, 1_200_000);
});
