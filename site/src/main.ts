import type { LatestSnapshot, Period, UnitRow, UnitSnapshot } from '../../shared/schemas/snapshot.ts';
import { connectionSection } from './connection.ts';
import {
  clockOffsetMs,
  evaluationHealth,
  formatDateTime,
  formatPercent,
  isStale,
  type Lang,
  page,
  queryRows,
  type SortKey,
  type TableQuery,
  toCsv,
  unitSnapshotUrl,
} from './data.ts';
import { esc, label, missing, num, pct, scoreText } from './html.ts';
import { type StringKey, t, tr } from './i18n.ts';
import { MAP_FIGURES, type MapFigure, provinceMap } from './map.ts';
import { ministries, nationalTrends, PERIODS, periodSelect, rankings, tiles } from './overview.ts';
import './style.css';

const params = new URLSearchParams(location.search);
const base = params.get('base') ?? (import.meta.env.VITE_SNAPSHOT_BASE as string | undefined) ?? '';
const app = document.getElementById('app') as HTMLElement;
let lang: Lang = (localStorage.getItem('emc-lang') as Lang | null) ?? 'vi';
let latest: LatestSnapshot | undefined;
const query: TableQuery = { search: '', kind: '', status: '', sort: 'unitCode', descending: false };
let agencyPage = 0;
let period: Period = 'yearToDate';
let mapFigure: MapFigure = 'status';

const L = (key: StringKey): string => esc(t(lang, key));

function download(name: string, csv: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

function statusBadge(status: string): string {
  return `<span class="badge badge-${esc(status)}">${esc(tr(lang, `st_${status}`))}</span>`;
}

function header(snapshot: LatestSnapshot | undefined): string {
  const stale =
    snapshot && isStale(snapshot, Date.now() + serverOffsetMs, snapshot.evaluation?.everyMinutes ?? 15);
  return `
  <a class="skip" href="#main">${L('skip')}</a>
  <header class="top">
    <div>
      <p class="title"><a href="#/">${L('title')}</a></p>
      <p class="subtitle">${L('subtitle')}</p>
    </div>
    <nav aria-label="${L('overview')}">
      <a href="#/">${L('overview')}</a>
      <a href="#/compliance" data-test="compliance-link">${L('compliance')}</a>
      <button type="button" class="lang" data-lang="${lang === 'vi' ? 'en' : 'vi'}" aria-label="${L('language')}: ${lang === 'vi' ? 'English' : 'Tiếng Việt'}">${lang === 'vi' ? 'English' : 'Tiếng Việt'}</button>
    </nav>
    ${snapshot ? `<p class="asof">${L('asOf')} <time datetime="${esc(snapshot.generatedAt)}">${esc(formatDateTime(snapshot.generatedAt, lang))}</time></p>` : ''}
    ${stale && snapshot ? `<div class="stale" role="alert" data-test="stale">${L('stale')} ${esc(formatDateTime(snapshot.generatedAt, lang))}.</div>` : ''}
    ${snapshot ? failureBanner(snapshot) : ''}
  </header>`;
}

/** Says so when some units could not be evaluated, and names them. */
function failureBanner(snapshot: LatestSnapshot): string {
  const health = evaluationHealth(snapshot);
  if (health.failedUnits.length === 0) return '';
  return `<div class="stale failure" role="alert" data-test="failure"><p>${L('unitsFailed')}: ${health.failedUnits.map((u) => `<a href="#/unit/${esc(u.unitCode)}">${esc(u.name)}</a>`).join(', ')}.</p></div>`;
}

function unitTile(id: string, name: string, value: string, extra: string): string {
  return `<section class="tile" data-test="tile-${id}" aria-label="${name}"><h2>${name}</h2><p class="value">${value}</p>${extra}</section>`;
}

/** What the unit's integrator must do about one reason, in plain words; a system's id is shown as code. */
function fixFor(code: string): string {
  const [kind = '', system] = code.split(':');
  const text = tr(lang, `fix_${kind}`);
  const known = text !== `fix_${kind}`;
  return `${known ? esc(text) : L('fix_other')}${system ? ` <code>${esc(system)}</code>.` : ''}`;
}

/** The coverage shares, published even where they pass: what is counted, of how many, against what minimum. */
function coverageSection(coverage: NonNullable<UnitRow['connection']['coverage']>): string {
  const rows = (['agencies', 'procedures', 'closure'] as const)
    .map((name) => {
      const share = coverage[name];
      const result =
        share.value === null
          ? L('coverageNotJudged')
          : share.value >= share.threshold - 1e-12
            ? L('met')
            : L('notMet');
      return `<tr data-test="coverage-${name}"><th scope="row">${L(`cov_${name}`)}${name === 'closure' ? ` <small>(${esc(coverage.closure.from)} – ${esc(coverage.closure.to)})</small>` : ''}</th><td class="num">${pct(share.value, lang, 'na_coverage')}</td><td class="num">${num(share.numerator, lang)} / ${num(share.denominator, lang)}</td><td class="num">${esc(formatPercent(share.threshold, lang))}</td><td>${result}</td></tr>`;
    })
    .join('');
  return `<section aria-labelledby="coverage-heading" data-test="coverage">
      <h2 id="coverage-heading">${L('coverage')}</h2>
      <p>${L('coverageWindow')} ${esc(coverage.from)} – ${esc(coverage.to)}</p>
      <div class="scroll"><table><caption class="sr-only">${L('coverage')}</caption><thead><tr><th scope="col">${L('coverageCriterion')}</th><th scope="col">${L('coverageShare')}</th><th scope="col">${L('coverageCounts')}</th><th scope="col">${L('coverageThreshold')}</th><th scope="col">${L('coverageResult')}</th></tr></thead><tbody>${rows}</tbody></table></div>
    </section>`;
}

const COLUMNS: [SortKey, StringKey][] = [
  ['unitCode', 'code'],
  ['name', 'name'],
  ['status', 'status'],
  ['onlineRate', 'onlineRate'],
  ['fullOnlineRate', 'fullOnlineRate'],
  ['onTimeRate', 'onTimeRate'],
  ['score', 'score'],
];

function unitTable(snapshot: LatestSnapshot, compliance: boolean): string {
  const q = { ...(compliance ? { ...query, status: query.status || 'not_connected' } : query), period };
  const rows = queryRows(snapshot.units, q);
  const kinds = [...new Set(snapshot.units.map((u) => u.kind))];
  const head = COLUMNS.map(([key, label]) => {
    const sorted = query.sort === key;
    return `<th scope="col" aria-sort="${sorted ? (query.descending ? 'descending' : 'ascending') : 'none'}"><button type="button" class="sort" data-sort="${key}">${L(label)}${sorted ? (query.descending ? ' ▼' : ' ▲') : ''}</button></th>`;
  }).join('');
  const body = rows
    .map((row) => {
      const y = row.kpis[period];
      const reasons = row.connection.reasons.map((r) => esc(r.message[lang])).join('<br>');
      return `<tr data-unit="${esc(row.unitCode)}">
        <td>${esc(row.unitCode)}</td>
        <th scope="row"><a href="#/unit/${esc(row.unitCode)}">${esc(row.name)}</a></th>
        <td>${statusBadge(row.connection.status)}${row.connection.alertsHeld ? ` <small>(${esc(row.connection.alertsHeld)})</small>` : ''}${compliance || row.connection.status !== 'connected' ? `<div class="reasons">${reasons}</div>` : ''}</td>
        <td class="num">${pct(y.onlineRate, lang)}</td>
        <td class="num">${pct(y.fullOnlineRate, lang)}</td>
        <td class="num">${pct(y.onTimeRate, lang)}</td>
        <td class="num">${scoreText(row.score, lang)}${row.score.band ? ` <small>${esc(tr(lang, `b_${row.score.band}`))}</small>` : ''}</td>
      </tr>`;
    })
    .join('');
  return `<section aria-labelledby="units-heading">
    <h2 id="units-heading">${L('units')}</h2>
    <div class="controls">
      <label>${L('search')} <input type="search" id="search" value="${esc(query.search)}" autocomplete="off"></label>
      <label>${L('kind')} <select id="kind"><option value="">${L('all')}</option>${kinds.map((k) => `<option value="${esc(k)}" ${query.kind === k ? 'selected' : ''}>${esc(tr(lang, k))}</option>`).join('')}</select></label>
      <label>${L('status')} <select id="status"><option value="">${L('all')}</option>${['not_connected', 'connected', 'partial', 'interrupted', 'never_connected'].map((s) => `<option value="${s}" ${q.status === s ? 'selected' : ''}>${esc(s === 'not_connected' ? L('notConnected') : tr(lang, `st_${s}`))}</option>`).join('')}</select></label>
      <button type="button" id="download">${L('downloadCsv')}</button>
      <p class="count" aria-live="polite" data-test="count">${rows.length} ${L('shown')}</p>
    </div>
    <div class="scroll"><table class="units" data-test="units"><caption class="sr-only">${compliance ? L('compliance') : L('units')}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>
  </section>`;
}

function renderOverview(compliance: boolean): void {
  if (!latest) return;
  const asOfDay = new Date(Date.parse(latest.asOf) + 7 * 3_600_000).toISOString().slice(0, 10);
  const overview = compliance
    ? ''
    : `${tiles(latest, period, lang)}${nationalTrends(latest, lang)}<div class="geo">${provinceMap(latest.units, asOfDay, mapFigure, period, lang)}${ministries(latest, lang)}</div>${rankings(latest, lang)}`;
  app.innerHTML = `${header(latest)}<main id="main" tabindex="-1"><div class="heading"><h1>${compliance ? L('compliance') : L('overview')}</h1>${periodSelect(period, lang)}</div>${overview}${unitTable(latest, compliance)}</main>`;
  const snapshot = latest;
  document.getElementById('period')?.addEventListener('change', (e) => {
    const value = (e.target as HTMLSelectElement).value as Period;
    period = PERIODS.includes(value) ? value : 'yearToDate';
    rerender('period');
  });
  document.getElementById('map-figure')?.addEventListener('change', (e) => {
    const value = (e.target as HTMLSelectElement).value as MapFigure;
    mapFigure = MAP_FIGURES.includes(value) ? value : 'status';
    rerender('map-figure');
  });
  if (!compliance && snapshot.national.series?.length)
    void import('./charts.ts').then(({ drawNationalTrends }) => drawNationalTrends(snapshot, lang));
  const rerender = (focusId?: string) => {
    renderOverview(compliance);
    if (focusId) {
      const element = document.getElementById(focusId) as HTMLInputElement | null;
      element?.focus();
      if (element && 'setSelectionRange' in element && element.type === 'search')
        element.setSelectionRange(element.value.length, element.value.length);
    }
  };
  document.getElementById('search')?.addEventListener('input', (e) => {
    query.search = (e.target as HTMLInputElement).value;
    rerender('search');
  });
  document.getElementById('kind')?.addEventListener('change', (e) => {
    query.kind = (e.target as HTMLSelectElement).value;
    rerender('kind');
  });
  document.getElementById('status')?.addEventListener('change', (e) => {
    query.status = (e.target as HTMLSelectElement).value;
    rerender('status');
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>('button.sort')) {
    button.addEventListener('click', () => {
      const key = button.dataset.sort as SortKey;
      query.descending = query.sort === key ? !query.descending : false;
      query.sort = key;
      renderOverview(compliance);
      document.querySelector<HTMLButtonElement>(`button.sort[data-sort="${key}"]`)?.focus();
    });
  }
  document.getElementById('download')?.addEventListener('click', () => {
    const rows = queryRows(snapshot.units, {
      ...(compliance ? { ...query, status: query.status || 'not_connected' } : query),
      period,
    });
    download(
      'emc-units.csv',
      toCsv(
        [
          'unitCode',
          'name',
          'kind',
          'status',
          'reasons',
          'onlineRate',
          'fullOnlineRate',
          'onTimeRate',
          'score',
          'band',
        ],
        rows.map((r) => [
          r.unitCode,
          r.name,
          r.kind,
          r.connection.status,
          r.connection.reasons.map((x) => x.code).join(' '),
          r.kpis[period].onlineRate,
          r.kpis[period].fullOnlineRate,
          r.kpis[period].onTimeRate,
          r.score.scaled,
          r.score.band,
        ]),
      ),
    );
  });
}

async function renderUnit(code: string): Promise<void> {
  const response = await fetch(unitSnapshotUrl(base, latest ?? {}, code));
  if (!response.ok) {
    app.innerHTML = `${header(latest)}<main id="main"><p role="alert" data-test="unit-missing">${L(response.status === 404 ? 'unitNotPublished' : 'loadFailed')}</p><p><a href="#/">${L('back')}</a></p></main>`;
    return;
  }
  const unit = (await response.json()) as UnitSnapshot;
  const row: UnitRow = unit.unit;
  const y = row.kpis[period];
  const agencies = page(unit.agencies, agencyPage, 50);
  const published = latest?.units.find((u) => u.unitCode === row.unitCode);
  const failed =
    evaluationHealth({
      ...(latest ?? ({} as LatestSnapshot)),
      units: [row, ...(published ? [published] : [])],
    }).failedUnits.length > 0;
  const seriesRows = unit.series
    .map(
      (d) =>
        `<tr><th scope="row">${esc(d.date)}</th><td class="num">${d.kpis.dossiersReceived}</td><td class="num">${d.kpis.dossiersReceivedOnline}</td><td class="num">${pct(d.kpis.onlineRate, lang)}</td><td class="num">${d.kpis.dossiersResolved}</td><td class="num">${pct(d.kpis.onTimeRate, lang)}</td></tr>`,
    )
    .join('');
  const groups = Object.entries(row.score.groups)
    .map(
      ([g, v]) =>
        `<li>${esc(label(lang, 'g_', g))}: ${v.measured ? `${num(v.score, lang, 'na_group')}/${v.max}` : missing(lang, 'na_group')}</li>`,
    )
    .join('');
  const periodLabel = `<p class="period">${L(`p_${period}` as StringKey)}</p>`;
  app.innerHTML = `${header(latest)}<main id="main" tabindex="-1">
    <p><a href="#/">← ${L('back')}</a></p>
    <div class="heading"><h1>${esc(row.name)} <small>(${esc(row.unitCode)})</small></h1>${periodSelect(period, lang)}</div>
    <p>${statusBadge(row.connection.status)}</p>
    ${failed ? `<p class="stale" role="alert" data-test="unit-failure">${L('unitFailed')}</p>` : ''}
    ${
      row.predecessors && row.predecessors.length > 0
        ? `<p class="lineage">${L('predecessors')}: ${row.predecessors
            .map(
              (p) =>
                `${esc(p.name)} (${esc(p.unitCode)}, ${L('mergedOn')} ${esc(p.retiredOn)}${p.whole ? '' : `, ${L('inPart')}`})`,
            )
            .join('; ')}</p>`
        : ''
    }
    ${row.connection.reasons.length > 0 ? `<ul class="reasons">${row.connection.reasons.map((r) => `<li>${esc(r.message[lang])}</li>`).join('')}</ul>` : ''}
    <section aria-labelledby="fixes-heading" data-test="fixes">
      <h2 id="fixes-heading">${L('fixes')}</h2>
      ${row.connection.reasons.length === 0 ? `<p>${L('nothingToFix')}</p>` : `<ol class="fixes">${row.connection.reasons.map((r) => `<li>${fixFor(r.code)}</li>`).join('')}</ol>`}
    </section>
    ${row.connection.coverage ? coverageSection(row.connection.coverage) : ''}
    ${connectionSection(unit.connection, lang)}
    <div class="tiles">
      ${unitTile('u-online', L('onlineRate'), pct(y.onlineRate, lang), periodLabel)}
      ${unitTile('u-full', L('fullOnlineRate'), pct(y.fullOnlineRate, lang), periodLabel)}
      ${unitTile('u-ontime', L('onTimeRate'), pct(y.onTimeRate, lang), periodLabel)}
      ${unitTile('u-score', L('score'), scoreText(row.score, lang), `<p>${row.score.band ? esc(tr(lang, `b_${row.score.band}`)) : ''}</p><ul class="groups" aria-label="${L('groups')}">${groups}</ul><p class="period">${L('p_yearToDate')}</p>`)}
    </div>
    <section aria-labelledby="trends-heading">
      <h2 id="trends-heading">${L('trends')}</h2>
      <div class="charts">
        <figure><canvas id="chart-volume" role="img" aria-label="${L('received')} / ${L('receivedOnline')}, 90"></canvas></figure>
        <figure><canvas id="chart-rates" role="img" aria-label="${L('onlineRate')} / ${L('onTimeRate')}, 90"></canvas></figure>
      </div>
      <details><summary>${L('tableAlternative')}</summary>
        <div class="scroll"><table data-test="series"><caption class="sr-only">${L('trends')}</caption><thead><tr><th scope="col">${L('date')}</th><th scope="col">${L('received')}</th><th scope="col">${L('receivedOnline')}</th><th scope="col">${L('onlineRate')}</th><th scope="col">${L('resolved')}</th><th scope="col">${L('onTimeRate')}</th></tr></thead><tbody>${seriesRows}</tbody></table></div>
      </details>
      <button type="button" id="download-series">${L('downloadCsv')}</button>
    </section>
    <section aria-labelledby="procedures-heading">
      <h2 id="procedures-heading">${L('procedures')}</h2>
      <p data-test="procedures">${L('noProcedureBreakdown')}</p>
    </section>
    <section aria-labelledby="agencies-heading">
      <h2 id="agencies-heading">${L('agencies')} (${unit.agencies.length})</h2>
      <div class="scroll"><table data-test="agencies"><caption class="sr-only">${L('agencies')}</caption><thead><tr><th scope="col">${L('code')}</th><th scope="col">${L('name')}</th><th scope="col">${L('level')}</th><th scope="col">${L('received')}</th><th scope="col">${L('onlineRate')}</th><th scope="col">${L('target')}</th></tr></thead><tbody>
      ${agencies.items
        .map((a) => {
          const target = a.targets.onlineRate;
          const k = a.kpis[period];
          return `<tr><td>${esc(a.agencyCode)}</td><th scope="row">${a.name ? esc(a.name) : missing(lang, 'na_value')}</th><td>${a.level ? esc(label(lang, 'lv_', a.level)) : missing(lang, 'na_value')}</td><td class="num">${k.dossiersReceived}</td><td class="num">${pct(k.onlineRate, lang)}</td><td>${target ? `${esc(formatPercent(target.target, lang))}${target.targetMax === null ? '' : `–${esc(formatPercent(target.targetMax, lang))}`}: ${target.met === null ? missing(lang) : target.met ? L('met') : L('notMet')}` : missing(lang, 'na_value')}</td></tr>`;
        })
        .join('')}
      </tbody></table></div>
      ${agencies.pages > 1 ? `<nav class="pager" aria-label="${L('agencies')}"><button type="button" id="prev" ${agencies.index === 0 ? 'disabled' : ''}>${L('previous')}</button> ${L('pageOf')} ${agencies.index + 1}/${agencies.pages} <button type="button" id="next" ${agencies.index + 1 >= agencies.pages ? 'disabled' : ''}>${L('next')}</button></nav>` : ''}
    </section>
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">${L('history')}</h2>
      <ol class="history">${[...unit.history]
        .reverse()
        .map(
          (h) =>
            `<li>${statusBadge(h.status)} ${L('since')} <time datetime="${esc(h.since)}">${esc(formatDateTime(h.since, lang))}</time></li>`,
        )
        .join('')}</ol>
    </section>
  </main>`;
  document.getElementById('period')?.addEventListener('change', (e) => {
    const value = (e.target as HTMLSelectElement).value as Period;
    period = PERIODS.includes(value) ? value : 'yearToDate';
    void renderUnit(code).then(() => document.getElementById('period')?.focus());
  });
  document.getElementById('prev')?.addEventListener('click', () => {
    agencyPage--;
    void renderUnit(code);
  });
  document.getElementById('next')?.addEventListener('click', () => {
    agencyPage++;
    void renderUnit(code);
  });
  document.getElementById('download-series')?.addEventListener('click', () =>
    download(
      `emc-${code}-series.csv`,
      toCsv(
        [
          'date',
          'dossiersReceived',
          'dossiersReceivedOnline',
          'onlineRate',
          'dossiersResolved',
          'onTimeRate',
        ],
        unit.series.map((d) => [
          d.date,
          d.kpis.dossiersReceived,
          d.kpis.dossiersReceivedOnline,
          d.kpis.onlineRate,
          d.kpis.dossiersResolved,
          d.kpis.onTimeRate,
        ]),
      ),
    ),
  );
  const { drawCharts } = await import('./charts.ts');
  drawCharts(unit, lang);
}

/** How soon the page looks again for the first snapshot. */
const NOT_PUBLISHED_RETRY_MS = 10_000;

/** The server's clock minus this browser's: see clockOffsetMs. */
let serverOffsetMs = 0;

async function route(): Promise<void> {
  document.documentElement.lang = lang;
  document.title = L('title');
  let missing = false;
  try {
    if (!latest) {
      const response = await fetch(`${base}snapshots/latest.json`, { cache: 'no-cache' });
      missing = response.status === 404;
      if (!response.ok) throw new Error(String(response.status));
      serverOffsetMs = clockOffsetMs(response.headers.get('date'), Date.now());
      latest = (await response.json()) as LatestSnapshot;
    }
  } catch {
    // Nothing published yet (a new deployment, or npm start's first backfill): say so, and look again soon.
    app.innerHTML = `${header(undefined)}<main id="main"><p role="alert" class="stale" data-test="not-published">${L(missing ? 'notPublishedYet' : 'loadFailed')}</p></main>`;
    if (missing) setTimeout(() => void route(), NOT_PUBLISHED_RETRY_MS);
    return;
  }
  const hash = location.hash.replace(/^#/, '') || '/';
  const unit = /^\/unit\/([A-Za-z0-9]+)$/.exec(hash);
  if (unit?.[1]) await renderUnit(unit[1]);
  else renderOverview(hash === '/compliance');
}

app.addEventListener('click', (event) => {
  const target = (event.target as HTMLElement).closest<HTMLButtonElement>('button.lang');
  if (!target) return;
  lang = (target.dataset.lang as Lang) ?? 'vi';
  localStorage.setItem('emc-lang', lang);
  void route().then(() => document.querySelector<HTMLButtonElement>('button.lang')?.focus());
});
window.addEventListener('hashchange', () => {
  agencyPage = 0;
  void route();
});
void route();
