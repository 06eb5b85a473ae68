import type { Period, UnitRow } from '../../shared/schemas/snapshot.ts';
import { formatNumber, formatPercent, type Lang } from './data.ts';
import { esc, missing, pct } from './html.ts';
import { type StringKey, t, tr } from './i18n.ts';
import { GRID, mapRegions, outline, type Region } from './provinces.ts';

export const MAP_FIGURES = ['status', 'onlineRate', 'fullOnlineRate', 'onTimeRate', 'score'] as const;
export type MapFigure = (typeof MAP_FIGURES)[number];

const SIZE = 30;
const DARK = '#1b1f24';
const NONE = { fill: '#e8ebef', text: DARK };
/** Status colours, each dark enough for white labels. */
const STATUS: Record<string, { fill: string; text: string }> = {
  connected: { fill: '#1e6b2f', text: '#fff' },
  partial: { fill: '#85570a', text: '#fff' },
  interrupted: { fill: '#a63a0a', text: '#fff' },
  never_connected: { fill: '#8f1d16', text: '#fff' },
};
/** Five classes of a share, light to dark; labels switch to white where the fill gets dark. */
const CLASSES = [
  { min: 0, fill: '#deebf7', text: DARK },
  { min: 0.2, fill: '#b6d4ea', text: DARK },
  { min: 0.4, fill: '#6baed6', text: DARK },
  { min: 0.6, fill: '#2171b5', text: '#fff' },
  { min: 0.8, fill: '#08306b', text: '#fff' },
];

function share(row: UnitRow, figure: MapFigure, period: Period): number | null {
  if (figure === 'score') return row.score.scaled === null ? null : row.score.scaled / 100;
  if (figure === 'status') return null;
  return row.kpis[period][figure];
}

function colour(row: UnitRow | null, figure: MapFigure, period: Period): { fill: string; text: string } {
  if (!row) return NONE;
  if (figure === 'status') return STATUS[row.connection.status] ?? NONE;
  const value = share(row, figure, period);
  if (value === null) return NONE;
  return [...CLASSES].reverse().find((c) => value >= c.min) ?? NONE;
}

function valueText(row: UnitRow, figure: MapFigure, period: Period, lang: Lang): string {
  if (figure === 'status') return tr(lang, `st_${row.connection.status}`);
  if (figure === 'score')
    return row.score.scaled === null ? t(lang, 'noFigure') : formatNumber(row.score.scaled, lang);
  const value = share(row, figure, period);
  return value === null ? t(lang, 'noFigure') : formatPercent(value, lang);
}

function regionLabel(region: Region, figure: MapFigure, period: Period, lang: Lang): string {
  if (region.row) {
    const merged = region.tiles.length > 1 ? ` (${region.tiles.map((tile) => tile.name).join(', ')})` : '';
    return `${region.name}${merged}: ${valueText(region.row, figure, period, lang)}`;
  }
  if (region.successor) return `${region.name}: ${t(lang, 'mergedInto')} ${region.successor.name}`;
  return `${region.name}: ${t(lang, 'notRegistered')}`;
}

function labels(region: Region, figure: MapFigure, period: Period): string {
  const { text } = colour(region.row, figure, period);
  return region.tiles
    .map(
      (tile) =>
        `<text x="${tile.col * SIZE + SIZE / 2}" y="${tile.row * SIZE + SIZE / 2 + 4}" fill="${text}">${esc(tile.abbr)}</text>`,
    )
    .join('');
}

function shape(region: Region, figure: MapFigure, period: Period, lang: Lang): string {
  const { fill } = colour(region.row, figure, period);
  const cells = region.tiles
    .map((tile) => `M${tile.col * SIZE} ${tile.row * SIZE}h${SIZE}v${SIZE}h-${SIZE}z`)
    .join('');
  const body = `<path d="${cells}" fill="${fill}"/><path class="edge" d="${outline(region.tiles, SIZE)}"/>`;
  const label = esc(regionLabel(region, figure, period, lang));
  if (!region.row)
    return `<g class="region" data-region="${esc(region.key)}" role="img" aria-label="${label}"><title>${label}</title>${body}</g>`;
  return `<a class="region" data-region="${esc(region.key)}" href="#/unit/${esc(region.row.unitCode)}" aria-label="${label}"><title>${label}</title>${body}</a>`;
}

function legend(figure: MapFigure, lang: Lang): string {
  const items =
    figure === 'status'
      ? Object.entries(STATUS).map(([status, c]) => [c.fill, tr(lang, `st_${status}`)] as const)
      : CLASSES.map((c, i) => {
          const upper = CLASSES[i + 1]?.min;
          const f = (v: number) =>
            figure === 'score' ? formatNumber(v * 100, lang) : formatPercent(v, lang);
          return [c.fill, upper === undefined ? `≥ ${f(c.min)}` : `${f(c.min)} – ${f(upper)}`] as const;
        });
  return `<ul class="legend" aria-label="${esc(t(lang, 'legend'))}">${[
    ...items,
    [NONE.fill, t(lang, 'noFigure')] as const,
  ]
    .map(([fill, text]) => `<li><span class="swatch" style="background:${fill}"></span>${esc(text)}</li>`)
    .join('')}</ul>`;
}

const FIGURE_LABEL: Record<MapFigure, StringKey> = {
  status: 'status',
  onlineRate: 'onlineRate',
  fullOnlineRate: 'fullOnlineRate',
  onTimeRate: 'onTimeRate',
  score: 'score',
};

/**
 * The provinces as a schematic tile map, coloured by connection status or by a figure of the chosen
 * period, with a legend, a link per shape for the keyboard, and the same figures as a table.
 */
export function provinceMap(
  rows: readonly UnitRow[],
  day: string,
  figure: MapFigure,
  period: Period,
  lang: Lang,
): string {
  const regions = mapRegions(
    rows.filter((row) => row.kind === 'province'),
    day,
  );
  const width = GRID.cols * SIZE;
  const height = GRID.rows * SIZE;
  const tableRows = regions
    .filter((region) => region.row)
    .map((region) => {
      const row = region.row as UnitRow;
      const value =
        figure === 'status'
          ? esc(tr(lang, `st_${row.connection.status}`))
          : figure === 'score'
            ? row.score.scaled === null
              ? missing(lang, 'na_score')
              : esc(formatNumber(row.score.scaled, lang))
            : pct(share(row, figure, period), lang);
      const merged =
        region.tiles.length > 1
          ? esc(
              region.tiles
                .slice(1)
                .map((tile) => tile.name)
                .join(', '),
            )
          : '';
      return `<tr><th scope="row"><a href="#/unit/${esc(row.unitCode)}">${esc(row.name)}</a></th><td>${value}</td><td>${merged}</td></tr>`;
    })
    .join('');
  return `<figure class="map" data-test="map">
    <label>${esc(t(lang, 'colourBy'))} <select id="map-figure">${MAP_FIGURES.map((f) => `<option value="${f}" ${f === figure ? 'selected' : ''}>${esc(t(lang, FIGURE_LABEL[f]))}</option>`).join('')}</select></label>
    <svg viewBox="-2 -2 ${width + 4} ${height + 4}" width="${width + 4}" height="${height + 4}" role="group" aria-label="${esc(t(lang, 'map'))}">${regions.map((region) => shape(region, figure, period, lang)).join('')}<g class="labels" aria-hidden="true">${regions.map((region) => labels(region, figure, period)).join('')}</g></svg>
    ${legend(figure, lang)}
    <figcaption>${esc(t(lang, 'mapSchematic'))}</figcaption>
    <details><summary>${esc(t(lang, 'mapTable'))}</summary>
      <div class="scroll"><table data-test="map-table"><caption class="sr-only">${esc(t(lang, 'map'))}</caption><thead><tr><th scope="col">${esc(t(lang, 'name'))}</th><th scope="col">${esc(t(lang, FIGURE_LABEL[figure]))}</th><th scope="col">${esc(t(lang, 'predecessors'))}</th></tr></thead><tbody>${tableRows}</tbody></table></div>
    </details>
  </figure>`;
}
