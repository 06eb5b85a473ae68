import type { Kpis, LatestSnapshot, Period, UnitRow } from '../../shared/schemas/snapshot.ts';

export type Lang = 'vi' | 'en';
export const LOCALES: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };

/** A unit is found by its code and name, and by those of the units merged into it. */
function searchText(row: UnitRow): string {
  return [row.unitCode, row.name, ...(row.predecessors ?? []).flatMap((p) => [p.unitCode, p.name])].join(' ');
}

/** "Hà Nội" → "ha noi": search ignores case and Vietnamese diacritics, including đ. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .trim();
}

export interface TableQuery {
  search: string;
  kind: string;
  status: string;
  sort: SortKey;
  descending: boolean;
  /** The period whose figures are shown and sorted on; year to date when absent. */
  period?: Period;
}

export type SortKey =
  | 'unitCode'
  | 'name'
  | 'status'
  | 'onlineRate'
  | 'fullOnlineRate'
  | 'onTimeRate'
  | 'score';

const STATUS_ORDER: Record<string, number> = { never_connected: 0, interrupted: 1, partial: 2, connected: 3 };

function sortValue(row: UnitRow, key: SortKey, period: Period): string | number | null {
  switch (key) {
    case 'unitCode':
      return row.unitCode;
    case 'name':
      return fold(row.name);
    case 'status':
      return STATUS_ORDER[row.connection.status] ?? 9;
    case 'score':
      return row.score.scaled;
    default:
      return row.kpis[period][key];
  }
}

/** Filtered and sorted rows; rows whose sort value is not applicable always go last. */
export function queryRows(rows: readonly UnitRow[], query: TableQuery): UnitRow[] {
  const needle = fold(query.search);
  const filtered = rows.filter(
    (row) =>
      (query.kind === '' || row.kind === query.kind) &&
      (query.status === '' ||
        (query.status === 'not_connected'
          ? row.connection.status !== 'connected'
          : row.connection.status === query.status)) &&
      (needle === '' || fold(searchText(row)).includes(needle)),
  );
  return filtered.sort((a, b) => {
    const x = sortValue(a, query.sort, query.period ?? 'yearToDate');
    const y = sortValue(b, query.sort, query.period ?? 'yearToDate');
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    const order = x < y ? -1 : x > y ? 1 : 0;
    return query.descending ? -order : order;
  });
}

export function formatPercent(value: number | null, lang: Lang): string {
  if (value === null) return '—';
  return new Intl.NumberFormat(LOCALES[lang], {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}

export function formatNumber(value: number | null, lang: Lang): string {
  if (value === null) return '—';
  return new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 2 }).format(value);
}

export function formatVnd(value: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALES[lang], {
    style: 'currency',
    currency: 'VND',
    maximumFractionDigits: 0,
  }).format(value);
}

export function formatDateTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(LOCALES[lang], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Asia/Ho_Chi_Minh',
  }).format(new Date(iso));
}

/** Percentage points between two shares, or null when either is not applicable. */
export function change(current: number | null, previous: number | null): number | null {
  return current === null || previous === null ? null : (current - previous) * 100;
}

/** A snapshot is stale when it is older than three evaluation intervals. */
/**
 * How far the server's clock is ahead of this browser's, from the Date header of a snapshot response. The
 * stale-data banner reads the server's time, so a phone with a wrong clock (or a demo stack started at
 * another time) does not call fresh figures stale.
 */
export function clockOffsetMs(dateHeader: string | null, localNow: number): number {
  const served = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  return Number.isNaN(served) ? 0 : served - localNow;
}

export function isStale(
  snapshot: Pick<LatestSnapshot, 'generatedAt'>,
  now: number,
  intervalMinutes = 15,
): boolean {
  return now - Date.parse(snapshot.generatedAt) > 3 * intervalMinutes * 60_000;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return `\uFEFF${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export const SERIES_FIELDS: (keyof Kpis)[] = [
  'dossiersReceived',
  'dossiersReceivedOnline',
  'onlineRate',
  'fullOnlineRate',
  'dossiersResolved',
  'onTimeRate',
  'onlinePayments',
  'digitizedRate',
];

/** One page of a long list, so 10,000 agencies stay usable. */
export function page<T>(
  items: readonly T[],
  index: number,
  size: number,
): { items: T[]; pages: number; index: number } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const clamped = Math.min(Math.max(0, index), pages - 1);
  return { items: items.slice(clamped * size, clamped * size + size), pages, index: clamped };
}

/** A unit that the last evaluation could not judge; its row carries its previous figures. */
export interface FailedUnit {
  unitCode: string;
  name: string;
  reason: string | null;
}

export interface EvaluationHealth {
  failedUnits: FailedUnit[];
}

/**
 * Reads a snapshot's failure markers: units whose row carries `evaluation.failed`, or that
 * `evaluation.failedUnits` names. An evaluation that fails as a whole publishes nothing, so the figures
 * grow old and the stale banner says so (`isStale`); older snapshots have no markers and read as healthy.
 */
export function evaluationHealth(snapshot: LatestSnapshot): EvaluationHealth {
  const named = new Set(snapshot.evaluation?.failedUnits ?? []);
  const failedUnits = snapshot.units.flatMap((row) =>
    row.evaluation?.failed === true || named.has(row.unitCode)
      ? [{ unitCode: row.unitCode, name: row.name, reason: row.evaluation?.reason ?? null }]
      : [],
  );
  return { failedUnits };
}

/**
 * Where a unit's page reads its file: in the generation `latest.json` names for the unit (`unitGenerations`,
 * when its file did not change since an earlier evaluation and was not written again), or else in the
 * snapshot's own generation. Generations are written before `latest.json` and never change, so a page never
 * mixes two evaluations. A snapshot that names none (published before generations were named) falls back to
 * the current files.
 */
export function unitSnapshotUrl(
  base: string,
  latest: Pick<LatestSnapshot, 'generation' | 'unitGenerations'>,
  code: string,
): string {
  const generation = latest.unitGenerations?.[code] ?? latest.generation;
  const folder =
    generation !== undefined && /^snapshots\/[0-9TZ.-]+\/$/.test(generation) ? generation : 'snapshots/';
  return `${base}${folder}units/${encodeURIComponent(code)}.json`;
}
