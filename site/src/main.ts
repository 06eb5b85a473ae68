import type { Kpis, LatestSnapshot, UnitRow, UnitSnapshot } from '../../shared/schemas/snapshot.ts';
import {
  change,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatVnd,
  isStale,
  type Lang,
  page,
  queryRows,
  type SortKey,
  type TableQuery,
  toCsv,
  unitSnapshotUrl,
} from './data.ts';
import { type StringKey, t, tr } from './i18n.ts';
import './style.css';

const params = new URLSearchParams(location.search);
const base = params.get('base') ?? (import.meta.env.VITE_SNAPSHOT_BASE as string | undefined) ?? '';
const app = document.getElementById('app') as HTMLElement;
let lang: Lang = (localStorage.getItem('emc-lang') as Lang | null) ?? 'vi';
let latest: LatestSnapshot | undefined;
const query: TableQuery = { search: '', kind: '', status: '', sort: 'unitCode', descending: false };
let agencyPage = 0;

const esc = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
const L = (key: StringKey): string => t(lang, key);

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
  const stale = snapshot && isStale(snapshot, Date.now());
  return `
  <a class="skip" href="#main">${lang === 'vi' ? 'Bỏ qua đến nội dung' : 'Skip to content'}</a>
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
  </header>`;
}

function tile(id: string, label: string, value: string, extra: string): string {
  return `<section class="tile" data-test="tile-${id}" aria-label="${esc(label)}"><h2>${esc(label)}</h2><p class="value">${value}</p>${extra}</section>`;
}

function rateTile(id: keyof Kpis & string, snapshot: LatestSnapshot): string {
  const ytd = snapshot.national.kpis.yearToDate[id] as number | null;
  const week = snapshot.national.kpis.last7Days[id] as number | null;
  const delta = change(week, snapshot.national.previous7Days[id] as number | null);
  const target = snapshot.national.targets[id];
  const targetLine = target
    ? `<p class="target ${target.met ? 'met' : target.met === false ? 'missed' : ''}">${L('target')} ${esc(formatPercent(target.target, lang))}: ${target.met === null ? esc(formatPercent(null, lang)) : target.met ? L('met') : L('notMet')}</p>`
    : '';
  const deltaLine = `<p class="delta">${L('last7')}: ${esc(formatPercent(week, lang))}${delta === null ? '' : ` (${delta >= 0 ? '▲ +' : '▼ '}${esc(formatNumber(delta, lang))} ${L('points')} ${L('vsPrevious')})`}</p>`;
  return tile(
    id,
    L(id as StringKey),
    `<span data-value>${esc(formatPercent(ytd, lang))}</span>`,
    `${targetLine}${deltaLine}<p class="period">${L('yearToDate')}</p>`,
  );
}

function tiles(snapshot: LatestSnapshot): string {
  const c = snapshot.connection;
  const ytd = snapshot.national.kpis.yearToDate;
  return `<div class="tiles">
    ${tile('connected', L('connected'), `<span data-value>${c.connected}/${c.registered}</span>`, `<p><a href="#/compliance">${c.notConnected} ${L('notConnected').toLowerCase()}</a></p>`)}
    ${rateTile('onlineRate', snapshot)}
    ${rateTile('fullOnlineRate', snapshot)}
    ${rateTile('onlineServicesWithDossiersRate', snapshot)}
    ${rateTile('onTimeRate', snapshot)}
    ${tile('onlinePayments', L('onlinePayments'), `<span data-value>${esc(formatNumber(ytd.onlinePayments, lang))}</span>`, `<p>${esc(formatVnd(ytd.onlinePaymentAmountVnd, lang))} · ${esc(formatPercent(ytd.onlinePaymentRate, lang))}</p><p class="period">${L('yearToDate')}</p>`)}
    ${rateTile('digitizedRate', snapshot)}
  </div>`;
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
  const q = compliance ? { ...query, status: query.status || 'not_connected' } : query;
  const rows = queryRows(snapshot.units, q);
  const kinds = [...new Set(snapshot.units.map((u) => u.kind))];
  const head = COLUMNS.map(([key, label]) => {
    const sorted = query.sort === key;
    return `<th scope="col" aria-sort="${sorted ? (query.descending ? 'descending' : 'ascending') : 'none'}"><button type="button" class="sort" data-sort="${key}">${L(label)}${sorted ? (query.descending ? ' ▼' : ' ▲') : ''}</button></th>`;
  }).join('');
  const body = rows
    .map((row) => {
      const y = row.kpis.yearToDate;
      const reasons = row.connection.reasons.map((r) => esc(r.message[lang])).join('<br>');
      return `<tr data-unit="${esc(row.unitCode)}">
        <td>${esc(row.unitCode)}</td>
        <th scope="row"><a href="#/unit/${esc(row.unitCode)}">${esc(row.name)}</a></th>
        <td>${statusBadge(row.connection.status)}${row.connection.alertsHeld ? ` <small>(${esc(row.connection.alertsHeld)})</small>` : ''}${compliance || row.connection.status !== 'connected' ? `<div class="reasons">${reasons}</div>` : ''}</td>
        <td class="num">${esc(formatPercent(y.onlineRate, lang))}</td>
        <td class="num">${esc(formatPercent(y.fullOnlineRate, lang))}</td>
        <td class="num">${esc(formatPercent(y.onTimeRate, lang))}</td>
        <td class="num">${esc(formatNumber(row.score.scaled, lang))}${row.score.band ? ` <small>${esc(tr(lang, `b_${row.score.band}`))}</small>` : ''}</td>
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
  app.innerHTML = `${header(latest)}<main id="main" tabindex="-1"><h1>${compliance ? L('compliance') : L('overview')}</h1>${compliance ? '' : tiles(latest)}${unitTable(latest, compliance)}</main>`;
  const snapshot = latest;
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
    const rows = queryRows(
      snapshot.units,
      compliance ? { ...query, status: query.status || 'not_connected' } : query,
    );
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
          r.kpis.yearToDate.onlineRate,
          r.kpis.yearToDate.fullOnlineRate,
          r.kpis.yearToDate.onTimeRate,
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
    app.innerHTML = `${header(latest)}<main id="main"><p role="alert">${L('loadFailed')}</p><p><a href="#/">${L('back')}</a></p></main>`;
    return;
  }
  const unit = (await response.json()) as UnitSnapshot;
  const row: UnitRow = unit.unit;
  const y = row.kpis.yearToDate;
  const agencies = page(unit.agencies, agencyPage, 50);
  const seriesRows = unit.series
    .map(
      (d) =>
        `<tr><th scope="row">${esc(d.date)}</th><td class="num">${d.kpis.dossiersReceived}</td><td class="num">${d.kpis.dossiersReceivedOnline}</td><td class="num">${esc(formatPercent(d.kpis.onlineRate, lang))}</td><td class="num">${d.kpis.dossiersResolved}</td><td class="num">${esc(formatPercent(d.kpis.onTimeRate, lang))}</td></tr>`,
    )
    .join('');
  app.innerHTML = `${header(latest)}<main id="main" tabindex="-1">
    <p><a href="#/">← ${L('back')}</a></p>
    <h1>${esc(row.name)} <small>(${esc(row.unitCode)})</small></h1>
    <p>${statusBadge(row.connection.status)}</p>
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
    <div class="tiles">
      ${tile('u-online', L('onlineRate'), esc(formatPercent(y.onlineRate, lang)), `<p class="period">${L('yearToDate')}</p>`)}
      ${tile('u-full', L('fullOnlineRate'), esc(formatPercent(y.fullOnlineRate, lang)), `<p class="period">${L('yearToDate')}</p>`)}
      ${tile('u-ontime', L('onTimeRate'), esc(formatPercent(y.onTimeRate, lang)), `<p class="period">${L('yearToDate')}</p>`)}
      ${tile(
        'u-score',
        L('score'),
        esc(formatNumber(row.score.scaled, lang)),
        `<p>${row.score.band ? esc(tr(lang, `b_${row.score.band}`)) : ''}</p><p class="period">${Object.entries(
          row.score.groups,
        )
          .map(
            ([g, v]) =>
              `${esc(g)}: ${v.measured ? `${esc(formatNumber(v.score, lang))}/${v.max}` : L('notMeasured')}`,
          )
          .join(' · ')}</p>`,
      )}
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
    <section aria-labelledby="agencies-heading">
      <h2 id="agencies-heading">${L('agencies')} (${unit.agencies.length})</h2>
      <div class="scroll"><table data-test="agencies"><caption class="sr-only">${L('agencies')}</caption><thead><tr><th scope="col">${L('code')}</th><th scope="col">${L('name')}</th><th scope="col">${L('level')}</th><th scope="col">${L('received')}</th><th scope="col">${L('onlineRate')}</th><th scope="col">${L('target')}</th></tr></thead><tbody>
      ${agencies.items
        .map((a) => {
          const target = a.targets.onlineRate;
          return `<tr><td>${esc(a.agencyCode)}</td><th scope="row">${esc(a.name ?? '—')}</th><td>${esc(a.level ?? '—')}</td><td class="num">${a.kpis.yearToDate.dossiersReceived}</td><td class="num">${esc(formatPercent(a.kpis.yearToDate.onlineRate, lang))}</td><td>${target ? `${esc(formatPercent(target.target, lang))}: ${target.met === null ? '—' : target.met ? L('met') : L('notMet')}` : '—'}</td></tr>`;
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

async function route(): Promise<void> {
  document.documentElement.lang = lang;
  document.title = L('title');
  try {
    if (!latest) {
      const response = await fetch(`${base}snapshots/latest.json`, { cache: 'no-cache' });
      if (!response.ok) throw new Error(String(response.status));
      latest = (await response.json()) as LatestSnapshot;
    }
  } catch {
    app.innerHTML = `${header(undefined)}<main id="main"><p role="alert" class="stale">${L('loadFailed')}</p></main>`;
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
