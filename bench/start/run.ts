/**
 * Time from `npm start` (its site build included) on an empty data directory to a dashboard with every panel
 * filled: the tiles, the national 90-day trend, the province map, the rankings and the unit table, in
 * headless Chromium. The snapshot is polled every 2 s, so the figure is late by at most that. Prints
 * the console of the run, so its quietness can be read too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { freePort } from '../../local/servers.ts';
import type { LatestSnapshot } from '../../shared/schemas/snapshot.ts';
import { launchChromium } from '../../test/helpers/browser.ts';

const BUDGET_S = 120;
const LIMIT_S = Number(process.env.BENCH_LIMIT_S ?? 600);

/** Every panel has something to show: most days of the trend, connected units, scores in both kinds. */
function filled(snapshot: LatestSnapshot): boolean {
  const days = snapshot.national.series.filter((d) => d.dossiersReceived > 0).length;
  const scored = (kind: string) => snapshot.units.some((u) => u.kind === kind && u.score.scaled !== null);
  return (
    snapshot.units.length === 83 &&
    days >= 80 &&
    snapshot.connection.connected >= 50 &&
    scored('ministry') &&
    scored('province') &&
    snapshot.national.kpis.yearToDate.onlineRate !== null
  );
}

/** The README's screenshots, taken from the living demo. */
async function screenshots(browser: Browser, url: string): Promise<void> {
  const dir = new URL('../../docs/screenshots/', import.meta.url).pathname;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${url}/`);
  await page.waitForSelector('[data-test="map"] .region');
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${dir}overview.png`, clip: { x: 0, y: 0, width: 1280, height: 1900 } });
  await page.goto(`${url}/#/compliance`);
  await page.waitForSelector('[data-test="units"]');
  await page.screenshot({ path: `${dir}compliance.png`, clip: { x: 0, y: 0, width: 1280, height: 1100 } });
  await page.goto(`${url}/#/unit/H01`);
  await page.waitForSelector('#chart-volume');
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${dir}unit.png`, clip: { x: 0, y: 0, width: 1280, height: 1500 } });
  await page.close();
  const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
  await phone.goto(`${url}/`);
  await phone.waitForSelector('[data-test="map"] .region');
  await phone.waitForTimeout(500);
  await phone.screenshot({ path: `${dir}phone.png` });
  await phone.close();
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emc-bench-start-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  // `npm start` itself, its site build included, so the figure is what a new user waits for.
  const child = spawn('npm', ['start'], {
    env: { ...process.env, PORT: String(port), EMC_DATA_DIR: dataDir },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const record = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n'))
      if (line.trim()) lines.push(`${seconds().padStart(6)} s  ${line}`);
  };
  child.stdout.on('data', record);
  child.stderr.on('data', record);
  const browser = await launchChromium();
  try {
    let snapshotAt: string | undefined;
    for (;;) {
      if (performance.now() - started > LIMIT_S * 1000) {
        // The console says why: a stack that stopped, or one still backfilling.
        console.log(lines.join('\n'));
        throw new Error(
          `not filled after ${LIMIT_S} s (npm start ${child.exitCode === null ? 'still running' : `exited with ${child.exitCode}`})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const response = await fetch(`${url}/snapshots/latest.json`).catch(() => undefined);
      if (!response?.ok) continue;
      if (filled((await response.json()) as LatestSnapshot)) {
        snapshotAt = seconds();
        break;
      }
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}/`);
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-test="map"] .region').length === 63 &&
        document.querySelectorAll('[data-test="ranking-province"] li').length === 63 &&
        document.querySelectorAll('[data-test="units"] tbody tr').length === 83 &&
        (document.querySelector<HTMLCanvasElement>('#chart-national')?.width ?? 0) > 0,
    );
    const rendered = seconds();
    if (process.env.BENCH_SCREENSHOTS === '1') await screenshots(browser, url);
    console.log(lines.join('\n'));
    console.log(
      `\nnpm start → every panel filled: snapshot at ${snapshotAt} s, dashboard rendered at ${rendered} s   budget ${BUDGET_S} s`,
    );
    await page.close();
  } finally {
    await browser.close();
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
