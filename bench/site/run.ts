/**
 * First meaningful render of the dashboard's overview with the 83-unit snapshot, in headless Chromium
 * against the local stack: from navigation start until the tiles, the province map and the whole unit
 * table are in the page. Measured on localhost, and again under Chromium's network emulation of a slow
 * phone connection (1.6 Mbit/s down, 150 ms latency). Also prints the snapshot sizes as served, gzipped, and
 * then the snapshot budgets at 100 units and 10,000 agencies (`budgets.ts`; `BENCH_BUDGETS=0` skips them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startStack } from '../../local/stack.ts';
import { launchChromium } from '../../test/helpers/browser.ts';
import { printSnapshotBudgets } from './budgets.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SLOW_RUNS = Number(process.env.BENCH_SLOW_RUNS ?? 5);

/** Bytes on the wire for a GET that accepts gzip, as a browser's request would. */
function gzippedBytes(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve(bytes));
    }).on('error', reject);
  });
}

async function renders(browser: Browser, url: string, runs: number, slow: boolean): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    if (slow) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 150,
        downloadThroughput: 1_600_000 / 8,
        uploadThroughput: 750_000 / 8,
      });
    }
    await page.goto(`${url}/`);
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-test="units"] tbody tr').length === 83 &&
        document.querySelectorAll('[data-test="map"] .region').length > 0 &&
        document.querySelector('[data-test="tile-connected"]') !== null,
    );
    times.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  return times.sort((a, b) => a - b);
}

const summary = (times: number[]): string =>
  `p50 ${times[Math.floor(times.length / 2)]?.toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emc-bench-site-'));
  const stack = await startStack({ dataDir });
  const browser = await launchChromium();
  try {
    const { simulateAgainst } = await import('../../cli/simulate/run.ts');
    await simulateAgainst(
      { url: stack.url, tables: stack.file.tables },
      { seed: 3, dossiers: 3000, days: 14, now: stack.clock.now() },
    );
    await stack.drained();
    await stack.evaluateNow();
    const latest = await gzippedBytes(`${stack.url}/snapshots/latest.json`);
    const unit = await gzippedBytes(`${stack.url}/snapshots/units/H01.json`);
    console.log(
      `served gzipped, 83 units: latest.json ${(latest / 1024).toFixed(1)} KiB, units/H01.json ${(unit / 1024).toFixed(1)} KiB`,
    );
    const local = await renders(browser, stack.url, RUNS, false);
    console.log(
      `overview with the map, localhost (${RUNS} cold loads): ${summary(local)}   target ≤ 1000 ms`,
    );
    const slow = await renders(browser, stack.url, SLOW_RUNS, true);
    console.log(
      `overview with the map, 1.6 Mbit/s and 150 ms (${SLOW_RUNS} cold loads): ${summary(slow)}   target ≤ 3000 ms`,
    );
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (process.env.BENCH_BUDGETS !== '0') await printSnapshotBudgets();
}

await main();
