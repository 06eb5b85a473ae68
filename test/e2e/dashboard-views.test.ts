import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Period } from '../../shared/schemas/snapshot.ts';
import { formatNumber, formatPercent } from '../../site/src/data.ts';
import { launchChromium } from '../helpers/browser.ts';
import { type Fixture, MERGER_2025, snapshotFixture } from '../helpers/snapshot-fixture.ts';

/**
 * Every view of the built dashboard in Debian's Chromium, fed published-shape snapshots, so the views can
 * be driven through states a live stack rarely shows: a failed evaluation, a merger, empty periods.
 */
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const dist = fileURLToPath(new URL('../../site/dist/', import.meta.url));
const ORIGIN = 'http://dashboard.test';
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.html'))) throw new Error('build the site first: npm run build:site');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function open(fixture: Fixture, path = '/', viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === '/snapshots/latest.json') return route.fulfill({ json: fixture.latest });
    const unit = /^\/snapshots\/units\/(\w+)\.json$/.exec(pathname);
    if (unit?.[1]) {
      // A unit the fixture does not publish is a 404, as from the bucket: the site must cope with it.
      const known = fixture.latest.units.some((r) => r.unitCode === unit[1]);
      return known
        ? route.fulfill({ json: fixture.unit(unit[1]) })
        : route.fulfill({ status: 404, body: '' });
    }
    const file = join(dist, pathname);
    const served = pathname !== '/' && existsSync(file) ? file : join(dist, 'index.html');
    return route.fulfill({ body: readFileSync(served), contentType: TYPES[extname(served)] ?? 'text/plain' });
  });
  await page.goto(`${ORIGIN}${path}`);
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
      first: JSON.stringify(v.nodes[0]).slice(0, 300),
    }));
  });
}

/**
 * English that must never reach the Vietnamese view. System ids inside <code> are identifiers, and so
 * are unit and agency codes; "CSV" and the API paths are names, not English words.
 */
const ENGLISH = [
  'department',
  'district',
  'commune',
  'province',
  'ministry',
  'sector',
  'transparency',
  'progress',
  'onlineService',
  'digitization',
  'satisfaction',
  'connected',
  'partial',
  'interrupted',
  'never',
  'excellent',
  'good',
  'fair',
  'average',
  'weak',
  'n/a',
  'not applicable',
  'not measured',
  'rate',
  'target',
  'status',
  'units',
  'loading',
  'period',
  'today',
  'days',
  'month',
  'year',
  'map',
  'score',
  'agencies',
  'procedures',
  'coverage',
  'share',
  'minimum',
  'null',
  'undefined',
  'NaN',
];

async function englishOn(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    const clone = document.body.cloneNode(true) as HTMLElement;
    for (const code of clone.querySelectorAll('code, script, style')) code.remove();
    for (const d of clone.querySelectorAll('details')) d.setAttribute('open', '');
    const attributes = [...clone.querySelectorAll('*')].flatMap((el) =>
      ['aria-label', 'title', 'data-tip', 'alt', 'placeholder'].map((a) => el.getAttribute(a) ?? ''),
    );
    const walker = document.createTreeWalker(clone, NodeFilter.SHOW_TEXT);
    const texts: string[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node.textContent ?? '');
    return [...texts, ...attributes].join(' \n ');
  });
  return ENGLISH.filter((word) =>
    new RegExp(`(^|[^\\p{L}])${word.replace('/', '\\/')}($|[^\\p{L}])`, 'iu').test(text),
  );
}

const PERIODS: Period[] = ['today', 'last7Days', 'monthToDate', 'quarterToDate', 'yearToDate'];
const asOf = (day: string) => `${day}T03:00:00.000Z`;

describe('the dashboard views in headless Chromium', () => {
  it('has no English anywhere in the Vietnamese view: overview, compliance and unit pages, every period and figure', async () => {
    const fixture = snapshotFixture({ merged: true, failedUnits: ['G02'] });
    const page = await open(fixture);
    const found = new Set<string>();
    for (const period of PERIODS) {
      await page.selectOption('#period', period);
      for (const figure of ['status', 'onlineRate', 'fullOnlineRate', 'onTimeRate', 'score']) {
        await page.selectOption('#map-figure', figure);
        for (const word of await englishOn(page)) found.add(`overview/${period}/${figure}: ${word}`);
      }
    }
    await page.goto(`${ORIGIN}/#/compliance`);
    await page.waitForSelector('h1');
    for (const word of await englishOn(page)) found.add(`compliance: ${word}`);
    // H04 was absorbed in the merger, so the fixture publishes no file for it: its page says so.
    await page.goto(`${ORIGIN}/#/unit/H04`);
    await page.waitForSelector('[data-test="unit-missing"]');
    expect(await page.textContent('[data-test="unit-missing"]')).toBe(
      'Không có số liệu công bố cho đơn vị này.',
    );
    for (const word of await englishOn(page)) found.add(`unit H04: ${word}`);
    const sample = ['G01', 'G02', 'H01', 'H05', 'H06'];
    for (const status of ['partial', 'interrupted', 'never_connected'])
      sample.push(fixture.latest.units.find((u) => u.connection.status === status)?.unitCode ?? 'H01');
    for (const code of sample) {
      await page.goto(`${ORIGIN}/#/unit/${code}`);
      await page.waitForSelector('[data-test="series"]', { state: 'attached' });
      for (const word of await englishOn(page)) found.add(`unit ${code}: ${word}`);
    }
    expect([...found]).toEqual([]);
    // The same walk finds English in the English view, so the list and the walk do catch it.
    await page.click('button.lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await englishOn(page)).toEqual(expect.arrayContaining(['department', 'transparency', 'target']));
    await page.click('button.lang');
    await page.close();
  });

  it('says when nothing is published yet, in Vietnamese, and shows the figures once the first snapshot is there', async () => {
    const fixture = snapshotFixture();
    const page = await browser.newPage();
    let asked = 0;
    await page.route(`${ORIGIN}/**`, async (route) => {
      const { pathname } = new URL(route.request().url());
      // The first look finds nothing, as during a new deployment's first evaluation; the next finds it.
      if (pathname === '/snapshots/latest.json')
        return asked++ === 0
          ? route.fulfill({ status: 404, body: '' })
          : route.fulfill({ json: fixture.latest });
      const file = join(dist, pathname);
      const served = pathname !== '/' && existsSync(file) ? file : join(dist, 'index.html');
      return route.fulfill({
        body: readFileSync(served),
        contentType: TYPES[extname(served)] ?? 'text/plain',
      });
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForSelector('[data-test="not-published"]');
    expect(await page.textContent('[data-test="not-published"]')).toBe(
      'Chưa có số liệu công bố: lần đánh giá đầu tiên chưa xong. Trang sẽ tự tải lại.',
    );
    await page.waitForSelector('[data-test="units"]', { state: 'attached', timeout: 20_000 });
    expect(asked).toBe(2);
    await page.close();
  }, 60_000);

  it('draws the 63 provinces before 1 July 2025 and the merged ones as one shape from that day', async () => {
    const before = await open(snapshotFixture({ merged: true, asOf: asOf('2025-06-30') }));
    expect(await before.locator('[data-test="map"] .region').count()).toBe(63);
    await before.close();
    const after = await open(snapshotFixture({ merged: true, asOf: asOf('2025-07-01') }));
    const absorbed = Object.values(MERGER_2025).flat().length;
    expect(63 - absorbed).toBe(34);
    expect(await after.locator('[data-test="map"] .region').count()).toBe(34);
    const hcm = after.locator('[data-test="map"] .region[data-region="H50"]');
    expect(await hcm.getAttribute('aria-label')).toContain('Bình Dương');
    expect(await hcm.locator('path').first().getAttribute('d')).toMatch(/^(M[^M]+z){3}$/);
    await after.close();
    const unmerged = await open(snapshotFixture({ asOf: asOf('2025-07-01') }));
    expect(await unmerged.locator('[data-test="map"] .region').count()).toBe(63);
    await unmerged.close();
  });

  it('colours the map by the chosen figure, with a legend and every province in the table alternative', async () => {
    const fixture = snapshotFixture();
    const page = await open(fixture);
    const h01 = fixture.latest.units.find((u) => u.unitCode === 'H01');
    expect(await page.locator('[data-region="H01"]').getAttribute('aria-label')).toBe(
      'Hà Nội: Kết nối đầy đủ',
    );
    await page.selectOption('#map-figure', 'onlineRate');
    expect(await page.locator('[data-region="H01"]').getAttribute('aria-label')).toBe(
      `Hà Nội: ${formatPercent(h01?.kpis.yearToDate.onlineRate ?? null, 'vi')}`,
    );
    expect(await page.locator('[data-test="map"] .legend li').count()).toBe(6);
    expect(await page.locator('[data-test="map-table"] tbody tr').count()).toBe(63);
    expect(await page.getAttribute('[data-region="H01"]', 'href')).toBe('#/unit/H01');
    await page.focus('[data-region="H01"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-test="series"]', { state: 'attached' });
    expect(await page.locator('h1').textContent()).toContain('Hà Nội');
    await page.close();
  });

  it('shows the published figures of the selected period and the change against the period before', async () => {
    const fixture = snapshotFixture();
    const page = await open(fixture);
    const national = fixture.latest.national;
    for (const period of PERIODS) {
      await page.selectOption('#period', period);
      const value = await page.locator('[data-test="tile-onlineRate"] [data-value]').textContent();
      expect(value).toBe(formatPercent(national.kpis[period].onlineRate, 'vi'));
      const row = fixture.latest.units.find((u) => u.unitCode === 'H01');
      const cell = await page.locator('[data-unit="H01"] td.num').first().textContent();
      expect(cell).toBe(formatPercent(row?.kpis[period].onlineRate ?? null, 'vi'));
    }
    const previous = {
      today: national.previous.today,
      last7Days: national.previous7Days,
      monthToDate: national.previous.monthToDate,
    };
    for (const [period, before] of Object.entries(previous)) {
      await page.selectOption('#period', period);
      const now = national.kpis[period as Period].onlineRate ?? 0;
      const points = (now - (before.onlineRate ?? 0)) * 100;
      const delta = await page.locator('[data-test="delta-onlineRate"]').textContent();
      expect(delta).toContain(formatNumber(Math.abs(points), 'vi'));
      expect(delta).toContain(formatPercent(before.onlineRate, 'vi'));
    }
    await page.selectOption('#period', 'quarterToDate');
    expect(await page.locator('[data-test="delta-onlineRate"]').count()).toBe(0);
    expect(await page.locator('[data-test="tile-onlineRate"]').textContent()).toContain(
      'Chưa có số liệu kỳ trước',
    );
    await page.close();
  });

  it('compares each period with the same period a year earlier, and explains the dash where history is shorter', async () => {
    const fixture = snapshotFixture({ yearAgo: 'history' });
    const page = await open(fixture);
    const national = fixture.latest.national;
    for (const period of PERIODS) {
      await page.selectOption('#period', period);
      for (const id of ['onlineRate', 'onTimeRate'] as const) {
        const now = national.kpis[period][id];
        const before = national.yearAgo?.[period][id] ?? null;
        expect(now).not.toBeNull();
        expect(before).not.toBeNull();
        const points = Math.abs(((now ?? 0) - (before ?? 0)) * 100);
        const line = await page.locator(`[data-test="yoy-${id}"]`).textContent();
        expect(line).toContain(formatNumber(points, 'vi'));
        expect(line).toContain('so với cùng kỳ năm trước');
        expect(line).toContain(formatPercent(before, 'vi'));
      }
    }
    await page.close();

    const short = await open(snapshotFixture({ yearAgo: 'none' }));
    for (const period of ['today', 'yearToDate'] as const) {
      await short.selectOption('#period', period);
      const dash = short.locator('[data-test="yoy-onlineRate"] abbr.na');
      expect(await dash.textContent()).toBe('—');
      expect(await dash.getAttribute('title')).toBe(
        'Chưa so sánh được: cùng kỳ năm trước chưa có hồ sơ nào, số liệu lưu giữ chưa đủ một năm',
      );
      await dash.focus();
      expect(await dash.evaluate((el) => getComputedStyle(el, '::after').content)).toContain(
        'Chưa so sánh được',
      );
    }
    await short.close();
  });

  it('ranks each kind by index score as bars with the kind average', async () => {
    const fixture = snapshotFixture();
    const page = await open(fixture);
    for (const kind of ['ministry', 'province']) {
      const rows = fixture.latest.units.filter((u) => u.kind === kind);
      const scores = rows.flatMap((u) => (u.score.scaled === null ? [] : [u.score.scaled]));
      const mean = Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10;
      expect(await page.locator(`[data-test="ranking-${kind}"] li`).count()).toBe(rows.length);
      expect(await page.locator(`[data-test="average-${kind}"]`).textContent()).toBe(
        formatNumber(mean, 'vi'),
      );
      const best = [...rows].sort((a, b) => (b.score.scaled ?? -1) - (a.score.scaled ?? -1))[0];
      expect(await page.locator(`[data-test="ranking-${kind}"] li a`).first().textContent()).toBe(best?.name);
    }
    await page.close();
  });

  it('shows a missing value as a dash that explains itself on focus, never as text in a tile', async () => {
    const fixture = snapshotFixture();
    const code = fixture.latest.units.find((u) => u.connection.status === 'never_connected')?.unitCode;
    const page = await open(fixture, `/#/unit/${code}`);
    const value = page.locator('[data-test="tile-u-online"] .value');
    expect(await value.textContent()).toBe('—');
    const dash = value.locator('abbr.na');
    expect(await dash.getAttribute('title')).toBe(
      'Không áp dụng: trong kỳ chưa có hồ sơ nào để tính tỷ lệ này',
    );
    await dash.focus();
    const tip = await dash.evaluate((el) => getComputedStyle(el, '::after').content);
    expect(tip).toContain('Không áp dụng');
    await page.close();
  });

  it('raises a banner when a unit could not be evaluated, and says which', async () => {
    const healthy = await open(snapshotFixture());
    expect(await healthy.locator('[data-test="failure"]').count()).toBe(0);
    await healthy.close();
    const units = await open(snapshotFixture({ failedUnits: ['G02'] }));
    const unitsBanner = await units.locator('[data-test="failure"]').textContent();
    expect(unitsBanner).toContain('Không đánh giá được các đơn vị sau');
    expect(unitsBanner).toContain('Bộ Quốc phòng');
    await units.goto(`${ORIGIN}/#/unit/G02`);
    await units.waitForSelector('[data-test="unit-failure"]');
    await units.close();
  });

  it('tells the integrator what to fix in plain words, and says the snapshot has no per-procedure figures yet', async () => {
    const fixture = snapshotFixture();
    const partial = fixture.latest.units.find((u) => u.connection.status === 'partial');
    const page = await open(fixture, `/#/unit/${partial?.unitCode}`);
    const fixes = page.locator('[data-test="fixes"] li');
    expect(await fixes.count()).toBe(2);
    expect(await fixes.first().textContent()).toBe(
      'Bật tác vụ gửi tín hiệu kết nối định kỳ (POST /v1/heartbeats) cho hệ thống portal.',
    );
    expect(await page.locator('[data-test="procedures"]').textContent()).toContain(
      'chưa có số liệu theo từng thủ tục',
    );
    await page.close();
  });

  it('shows the unit’s coverage shares, passing, not judged and failing, in Vietnamese and in English', async () => {
    const fixture = snapshotFixture();
    const connected = fixture.latest.units.find((u) => u.connection.status === 'connected');
    const page = await open(fixture, `/#/unit/${connected?.unitCode}`);
    const cells = async (name: string) =>
      (await page.locator(`[data-test="coverage-${name}"] td`).allTextContents()).map((c) => c.trim());
    expect(await cells('agencies')).toEqual([
      formatPercent(5 / 6, 'vi'),
      '5 / 6',
      formatPercent(0.5, 'vi'),
      'đạt',
    ]);
    expect(await cells('procedures')).toEqual([
      '—',
      '3 / 30',
      formatPercent(0.2, 'vi'),
      'Chưa đủ số liệu để đánh giá',
    ]);
    expect(await cells('closure')).toEqual([
      formatPercent(0.75, 'vi'),
      '3 / 4',
      formatPercent(0.8, 'vi'),
      'chưa đạt',
    ]);
    expect(await page.locator('[data-test="coverage-closure"] th').textContent()).toContain(
      '2026-10-16 – 2026-11-14',
    );
    await page.click('button.lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await page.locator('[data-test="coverage"] h2').textContent()).toBe(
      'How comprehensive the connection is',
    );
    expect(await cells('procedures')).toEqual([
      '—',
      '3 / 30',
      formatPercent(0.2, 'en'),
      'Not enough data to judge',
    ]);
    await page.click('button.lang');
    await page.close();
  });

  it('has no axe violations on the overview with the map, the compliance view and a unit page, and works on a phone', async () => {
    const fixture = snapshotFixture({ merged: true, failedUnits: ['H01'] });
    const page = await open(fixture);
    expect(await axe(page)).toEqual([]);
    await page.selectOption('#map-figure', 'onlineRate');
    expect(await axe(page)).toEqual([]);
    await page.goto(`${ORIGIN}/#/unit/H50`);
    await page.waitForSelector('[data-test="series"]', { state: 'attached' });
    expect(await axe(page)).toEqual([]);
    await page.close();
    const phone = await open(fixture, '/', { width: 375, height: 740 });
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await axe(phone)).toEqual([]);
    await phone.close();
  });
});
