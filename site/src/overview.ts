import type { Kpis, LatestSnapshot, Period, UnitRow } from '../../shared/schemas/snapshot.ts';
import { change, formatNumber, formatPercent, formatVnd, type Lang } from './data.ts';
import { esc, missing, num, pct, scoreText } from './html.ts';
import { type StringKey, t, tr } from './i18n.ts';

export const PERIODS: readonly Period[] = [
  'today',
  'last7Days',
  'monthToDate',
  'quarterToDate',
  'yearToDate',
];

/** The published figures of the period before `period`, where the snapshot has them. */
export function previousOf(snapshot: LatestSnapshot, period: Period): Kpis | null {
  const previous = (snapshot.national as { previous?: Partial<Record<Period, Kpis>> }).previous;
  if (period === 'last7Days') return previous?.last7Days ?? snapshot.national.previous7Days;
  return previous?.[period] ?? null;
}

export function periodSelect(period: Period, lang: Lang): string {
  return `<label class="period-select">${esc(t(lang, 'period'))} <select id="period" data-test="period">${PERIODS.map(
    (p) =>
      `<option value="${p}" ${p === period ? 'selected' : ''}>${esc(t(lang, `p_${p}` as StringKey))}</option>`,
  ).join('')}</select></label>`;
}

function tile(id: string, label: string, value: string, extra: string): string {
  return `<section class="tile" data-test="tile-${id}" aria-label="${esc(label)}"><h2>${esc(label)}</h2><p class="value">${value}</p>${extra}</section>`;
}

type RateId =
  | 'onlineRate'
  | 'fullOnlineRate'
  | 'onlineServicesWithDossiersRate'
  | 'onTimeRate'
  | 'digitizedRate';

function rateTile(id: RateId, snapshot: LatestSnapshot, period: Period, lang: Lang): string {
  const value = snapshot.national.kpis[period][id];
  const target = snapshot.national.targets[id];
  const L = (key: StringKey) => esc(t(lang, key));
  const targetLine = target
    ? `<p class="target ${period === 'yearToDate' && target.met !== null ? (target.met ? 'met' : 'missed') : ''}">${L('target')} ${esc(formatPercent(target.target, lang))}${period === 'yearToDate' && target.met !== null ? `: ${target.met ? L('met') : L('notMet')}` : ''}</p>`
    : '';
  const previous = previousOf(snapshot, period);
  const delta = previous ? change(value, previous[id]) : null;
  const comparison = !previous
    ? `<p class="delta muted">${L('noComparison')}</p>`
    : `<p class="delta" data-test="delta-${id}">${delta === null ? missing(lang) : `${delta >= 0 ? '▲ +' : '▼ '}${esc(formatNumber(delta, lang))} ${L('points')}`} ${L(`cmp_${period}` as StringKey)} (${pct(previous[id], lang)})</p>`;
  return tile(
    id,
    t(lang, id),
    `<span data-value>${pct(value, lang)}</span>`,
    `${targetLine}${comparison}${yearAgoLine(id, snapshot, period, lang)}<p class="period">${L(`p_${period}` as StringKey)}</p>`,
  );
}

/** The change against the same period a year earlier, or a dash that says history does not reach back so far. */
function yearAgoLine(id: RateId, snapshot: LatestSnapshot, period: Period, lang: Lang): string {
  const before = snapshot.national.yearAgo?.[period][id] ?? null;
  const value = snapshot.national.kpis[period][id];
  const delta = change(value, before);
  const shown =
    before === null
      ? missing(lang, 'na_year_ago')
      : delta === null
        ? missing(lang)
        : `${delta >= 0 ? '▲ +' : '▼ '}${esc(formatNumber(delta, lang))} ${esc(t(lang, 'points'))}`;
  const was = before === null ? '' : ` (${pct(before, lang)})`;
  return `<p class="delta" data-test="yoy-${id}">${shown} ${esc(t(lang, 'cmp_yearAgo'))}${was}</p>`;
}

/** The national tiles for the chosen period, each with its target and the change against the period before. */
export function tiles(snapshot: LatestSnapshot, period: Period, lang: Lang): string {
  const c = snapshot.connection;
  const k = snapshot.national.kpis[period];
  return `<div class="tiles">
    ${tile('connected', t(lang, 'connected'), `<span data-value>${c.connected}/${c.registered}</span>`, `<p><a href="#/compliance">${c.notConnected} ${esc(t(lang, 'notConnected').toLowerCase())}</a></p>`)}
    ${rateTile('onlineRate', snapshot, period, lang)}
    ${rateTile('fullOnlineRate', snapshot, period, lang)}
    ${rateTile('onlineServicesWithDossiersRate', snapshot, period, lang)}
    ${rateTile('onTimeRate', snapshot, period, lang)}
    ${tile('onlinePayments', t(lang, 'onlinePayments'), `<span data-value>${esc(formatNumber(k.onlinePayments, lang))}</span>`, `<p>${esc(formatVnd(k.onlinePaymentAmountVnd, lang))} · ${pct(k.onlinePaymentRate, lang)}</p><p class="period">${esc(t(lang, `p_${period}` as StringKey))}</p>`)}
    ${rateTile('digitizedRate', snapshot, period, lang)}
  </div>`;
}

/** The mean index score of a kind's units, over the units that have one; null when none has. */
export function kindAverage(rows: readonly UnitRow[]): number | null {
  const scores = rows.flatMap((row) => (row.score.scaled === null ? [] : [row.score.scaled]));
  return scores.length === 0
    ? null
    : Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10;
}

const BANDS = ['excellent', 'good', 'fair', 'average', 'weak'] as const;

/** Each kind's units ranked by index score as bars, with the kind's average drawn across them. */
export function rankings(snapshot: LatestSnapshot, lang: Lang): string {
  const kinds = [...new Set(snapshot.units.map((u) => u.kind))];
  const charts = kinds.map((kind) => {
    const rows = snapshot.units
      .filter((u) => u.kind === kind)
      .sort((a, b) => (b.score.scaled ?? -1) - (a.score.scaled ?? -1) || a.name.localeCompare(b.name, 'vi'));
    const average = kindAverage(rows);
    const bars = rows
      .map(
        (row, i) =>
          `<li><span class="rank">${row.score.notEvaluated ? '—' : i + 1}</span><a href="#/unit/${esc(row.unitCode)}">${esc(row.name)}</a><span class="track"><span class="bar band-${esc(row.score.band ?? 'none')}" style="width:${row.score.scaled ?? 0}%"></span>${average === null ? '' : `<span class="avg" style="left:${average}%"></span>`}</span><span class="score">${scoreText(row.score, lang)}${row.score.band ? ` <small>${esc(tr(lang, `b_${row.score.band}`))}</small>` : ''}</span></li>`,
      )
      .join('');
    return `<figure class="ranking" data-test="ranking-${esc(kind)}">
      <figcaption><h3>${esc(tr(lang, kind))}</h3><p>${esc(t(lang, 'average'))}: <strong data-test="average-${esc(kind)}">${num(average, lang, 'na_score')}</strong></p></figcaption>
      <div class="bars"><ol>${bars}</ol></div>
    </figure>`;
  });
  const legend = `<ul class="legend">${BANDS.map((b) => `<li><span class="swatch band-${b}"></span>${esc(tr(lang, `b_${b}`))}</li>`).join('')}<li><span class="swatch avg-swatch"></span>${esc(t(lang, 'average'))}</li></ul>`;
  return `<section aria-labelledby="rankings-heading"><h2 id="rankings-heading">${esc(t(lang, 'rankings'))}</h2>${legend}<div class="rankings">${charts.join('')}</div></section>`;
}

/** Ministries and sectors beside the map, ranked by index score. */
export function ministries(snapshot: LatestSnapshot, lang: Lang): string {
  const rows = snapshot.units
    .filter((u) => u.kind !== 'province')
    .sort((a, b) => (b.score.scaled ?? -1) - (a.score.scaled ?? -1) || a.name.localeCompare(b.name, 'vi'));
  return `<section class="ministries" aria-labelledby="ministries-heading"><h2 id="ministries-heading">${esc(t(lang, 'ministriesRanked'))}</h2><ol>${rows
    .map(
      (row) =>
        `<li><a href="#/unit/${esc(row.unitCode)}">${esc(row.name)}</a> <span class="score">${scoreText(row.score, lang)}</span> <span class="badge badge-${esc(row.connection.status)}">${esc(tr(lang, `st_${row.connection.status}`))}</span></li>`,
    )
    .join('')}</ol></section>`;
}

/** The national 90-day trend: a chart drawn later, and its figures as a table now. */
export function nationalTrends(snapshot: LatestSnapshot, lang: Lang): string {
  const series = (
    snapshot.national as {
      series?: {
        date: string;
        onlineRate: number | null;
        fullOnlineRate: number | null;
        onTimeRate: number | null;
        dossiersReceived: number;
      }[];
    }
  ).series;
  if (!series || series.length === 0) return '';
  const L = (key: StringKey) => esc(t(lang, key));
  const rows = series
    .map(
      (d) =>
        `<tr><th scope="row">${esc(d.date)}</th><td class="num">${esc(formatNumber(d.dossiersReceived, lang))}</td><td class="num">${pct(d.onlineRate, lang)}</td><td class="num">${pct(d.fullOnlineRate, lang)}</td><td class="num">${pct(d.onTimeRate, lang)}</td></tr>`,
    )
    .join('');
  return `<section aria-labelledby="national-trends-heading">
    <h2 id="national-trends-heading">${L('nationalTrends')}</h2>
    <figure class="trend"><canvas id="chart-national" role="img" aria-label="${L('nationalTrends')}: ${L('onlineRate')}, ${L('fullOnlineRate')}, ${L('onTimeRate')}; ${L('targetDrawn')}"></canvas></figure>
    <details><summary>${L('tableAlternative')}</summary>
      <div class="scroll"><table data-test="national-series"><caption class="sr-only">${L('nationalTrends')}</caption><thead><tr><th scope="col">${L('date')}</th><th scope="col">${L('received')}</th><th scope="col">${L('onlineRate')}</th><th scope="col">${L('fullOnlineRate')}</th><th scope="col">${L('onTimeRate')}</th></tr></thead><tbody>${rows}</tbody></table></div>
    </details>
  </section>`;
}
