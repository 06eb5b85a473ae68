/**
 * First meaningful render of the dashboard with the 83-unit snapshot, in headless Chromium against the
 * local stack: from navigation start until the tiles and the whole unit table are in the page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../../local/stack.ts';
import { launchChromium } from '../../test/helpers/browser.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emc-bench-site-'));
  const stack = await startStack({ dataDir });
  const browser = await launchChromium();
  try {
    const { simulateAgainst } = await import('../../cli/simulate/run.ts');
    await simulateAgainst(
      { url: stack.url, tables: stack.file.tables },
      { seed: 3, dossiers: 3000, days: 14, now: Date.now() },
    );
    await stack.drained();
    await stack.evaluateNow();
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${stack.url}/`);
      await page.waitForFunction(
        () =>
          document.querySelectorAll('[data-test="units"] tbody tr').length === 83 &&
          document.querySelector('[data-test="tile-connected"]') !== null,
      );
      times.push(await page.evaluate(() => performance.now()));
      await page.close();
    }
    times.sort((a, b) => a - b);
    const bytes = (await (await fetch(`${stack.url}/snapshots/latest.json`)).arrayBuffer()).byteLength;
    console.log(`latest.json: ${(bytes / 1024).toFixed(0)} KiB, 83 units; ${RUNS} cold page loads`);
    console.log(
      `first meaningful render (tiles and all 83 rows): p50 ${times[Math.floor(RUNS / 2)]?.toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms   target < 1000 ms`,
    );
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
