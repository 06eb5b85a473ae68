import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../local/stack.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import type { LatestSnapshot } from '../../shared/schemas/snapshot.ts';
import { formatPercent } from '../../site/src/data.ts';
import { launchChromium } from '../helpers/browser.ts';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const screenshots =
  process.env.EMC_SCREENSHOTS === '1'
    ? new URL('../../docs/screenshots/', import.meta.url).pathname
    : undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'emc-site-'));
let stack: Stack;
let browser: Browser;
let snapshot: LatestSnapshot;

beforeAll(async () => {
  stack = await startStack({
    dataDir,
    clock: ShiftedClock.startingAt(Date.parse('2026-11-18T10:00:00+07:00')),
  });
  const now = stack.clock.now;
  const { simulateAgainst } = await import('../../cli/simulate/run.ts');
  await simulateAgainst(
    { url: stack.url, tables: stack.file.tables },
    { seed: 11, dossiers: 1500, days: 20, now: now() },
  );
  await stack.drained();
  // One merge, so a unit page shows whose history it carries.
  const { DynamoRegistry } = await import('../../shared/adapters/dynamo-registry.ts');
  const { DynamoKeyStore } = await import('../../shared/adapters/dynamo-key-store.ts');
  const { merge } = await import('../../shared/app/units.ts');
  const { dayOf } = await import('../../shared/domain/time.ts');
  await merge(
    {
      registry: new DynamoRegistry(stack.file.tables.state),
      keys: new DynamoKeyStore(stack.file.tables.keys),
      now,
    },
    'H05',
    ['H02'],
    dayOf(now(), 420),
  );
  await stack.evaluateNow();
  snapshot = (await (await fetch(`${stack.url}/snapshots/latest.json`)).json()) as LatestSnapshot;
  browser = await launchChromium();
  if (screenshots) mkdirSync(screenshots, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function open(path = '/', viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${stack.url}${path}`);
  await page.waitForSelector('[data-test="units"], [data-test="series"]', { state: 'attached' });
  return page;
}

async function axe(page: Page): Promise<unknown[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const result = await (
      window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }
    ).axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.length,
      first: JSON.stringify(v.nodes[0]).slice(0, 400),
    }));
  });
}

const rowCount = (page: Page) => page.locator('[data-test="units"] tbody tr').count();

describe('the dashboard in headless Chromium, against the local stack', () => {
  it('shows national tiles that match the snapshot, in Vietnamese by default', async () => {
    const page = await open();
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    const connected = await page.locator('[data-test="tile-connected"] [data-value]').textContent();
    expect(connected).toBe(`${snapshot.connection.connected}/${snapshot.connection.registered}`);
    const online = await page.locator('[data-test="tile-onlineRate"] [data-value]').textContent();
    expect(online).toBe(formatPercent(snapshot.national.kpis.yearToDate.onlineRate, 'vi'));
    expect(online).toContain(',');
    if (screenshots) await page.screenshot({ path: `${screenshots}overview.png`, fullPage: true });
    await page.close();
  });

  it('lists every unit, and filters, searches with diacritics folded, and sorts', async () => {
    const page = await open();
    expect(await rowCount(page)).toBe(snapshot.units.length);
    await page.fill('#search', 'ha noi');
    await page.waitForFunction(() => document.querySelectorAll('[data-test="units"] tbody tr').length === 1);
    expect(await page.locator('[data-test="units"] tbody tr').first().getAttribute('data-unit')).toBe('H01');
    await page.fill('#search', '');
    await page.selectOption('#kind', 'ministry');
    expect(await rowCount(page)).toBe(snapshot.units.filter((u) => u.kind === 'ministry').length);
    await page.selectOption('#kind', '');
    await page.selectOption('#status', 'not_connected');
    expect(await rowCount(page)).toBe(snapshot.connection.notConnected);
    await page.selectOption('#status', '');
    await page.click('button.sort[data-sort="unitCode"]');
    const first = await page.locator('[data-test="units"] tbody tr').first().getAttribute('data-unit');
    expect(first).toBe(
      [...snapshot.units]
        .map((u) => u.unitCode)
        .sort()
        .at(-1),
    );
    await page.close();
  });

  it('opens the compliance view in one click, with every unit that is not fully connected and why', async () => {
    const page = await open();
    await page.click('[data-test="compliance-link"]');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-test="units"] tbody tr').length === n,
      snapshot.connection.notConnected,
    );
    const text = await page.locator('[data-test="units"]').textContent();
    expect(text).toContain('Chưa kết nối');
    if (screenshots) await page.screenshot({ path: `${screenshots}compliance.png`, fullPage: true });
    await page.close();
  });

  it('switches to English, with numbers in the English format', async () => {
    const page = await open();
    await page.click('button.lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await page.locator('.title').textContent()).toBe('Online public services monitor');
    const online = await page.locator('[data-test="tile-onlineRate"] [data-value]').textContent();
    expect(online).toBe(formatPercent(snapshot.national.kpis.yearToDate.onlineRate, 'en'));
    await page.click('button.lang');
    await page.close();
  });

  it('renders a unit page with its trend charts, their table alternative, agencies and history', async () => {
    const connected = snapshot.units.find((u) => u.connection.status === 'connected');
    const page = await open(`/#/unit/${connected?.unitCode}`);
    await page.waitForFunction(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#chart-volume');
      return canvas !== null && canvas.width > 0;
    });
    expect(await page.locator('canvas').count()).toBe(2);
    expect(await page.locator('[data-test="series"] tbody tr').count()).toBe(90);
    expect(await page.locator('[data-test="agencies"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('.history li').count()).toBeGreaterThan(0);
    if (screenshots) await page.screenshot({ path: `${screenshots}unit.png`, fullPage: true });
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it('names the units whose history a merged unit carries, in both languages', async () => {
    expect(snapshot.units.some((u) => u.unitCode === 'H02')).toBe(false);
    const page = await open('/#/unit/H05');
    await page.waitForSelector('.lineage');
    expect(await page.locator('.lineage').textContent()).toMatch(
      /^Số liệu gồm cả lịch sử của: Hà Giang \(H02, hợp nhất từ ngày \d{4}-\d{2}-\d{2}\)$/,
    );
    await page.click('button.lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.waitForSelector('.lineage');
    expect(await page.locator('.lineage').textContent()).toMatch(
      /^Figures include the history of: Hà Giang \(H02, merged in on \d{4}-\d{2}-\d{2}\)$/,
    );
    await page.click('button.lang');
    await page.close();
  });

  it('shows the stale-data banner when the snapshot is old', async () => {
    const page = await browser.newPage();
    await page.route('**/snapshots/latest.json', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as LatestSnapshot;
      await route.fulfill({ response, json: { ...body, generatedAt: '2026-01-01T00:00:00.000Z' } });
    });
    await page.goto(`${stack.url}/`);
    await page.waitForSelector('[data-test="stale"]');
    expect(await page.locator('[data-test="stale"]').textContent()).toContain('Số liệu đã cũ');
    await page.close();
  });

  it('has no axe violations on the overview and the compliance view, and works on a phone', async () => {
    const page = await open();
    expect(await axe(page)).toEqual([]);
    await page.goto(`${stack.url}/#/compliance`);
    await page.waitForSelector('[data-test="units"]');
    expect(await axe(page)).toEqual([]);
    const phone = await open('/', { width: 375, height: 740 });
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await axe(phone)).toEqual([]);
    if (screenshots) await phone.screenshot({ path: `${screenshots}phone.png`, fullPage: false });
    await page.close();
    await phone.close();
  });

  it('is keyboard navigable: the skip link and sort buttons take focus and act on Enter', async () => {
    const page = await open();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await page.focus('button.sort[data-sort="name"]');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('th:has(button.sort[data-sort="name"])', 'aria-sort')).toBe('ascending');
    await page.close();
  });
});
