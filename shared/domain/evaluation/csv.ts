import type { UnitRow } from '../../schemas/snapshot.ts';

const INDEX_GROUPS = ['transparency', 'progress', 'onlineService', 'digitization', 'satisfaction'] as const;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const COLUMNS: [string, (row: UnitRow) => unknown][] = [
  ['unitCode', (r) => r.unitCode],
  ['name', (r) => r.name],
  ['kind', (r) => r.kind],
  ['connectionStatus', (r) => r.connection.status],
  ['reasons', (r) => r.connection.reasons.map((x) => x.code).join(' ')],
  ['lastHeartbeatAt', (r) => r.connection.lastHeartbeatAt],
  ['lastDossierEventAt', (r) => r.connection.lastDossierEventAt],
  ['dossiersReceivedYtd', (r) => r.kpis.yearToDate.dossiersReceived],
  ['onlineRateYtd', (r) => r.kpis.yearToDate.onlineRate],
  ['fullOnlineRateYtd', (r) => r.kpis.yearToDate.fullOnlineRate],
  ['onTimeRateYtd', (r) => r.kpis.yearToDate.onTimeRate],
  ['onlinePaymentRateYtd', (r) => r.kpis.yearToDate.onlinePaymentRate],
  ['onlinePaymentAmountVndYtd', (r) => r.kpis.yearToDate.onlinePaymentAmountVnd],
  ['digitizedRateYtd', (r) => r.kpis.yearToDate.digitizedRate],
  ['onlineServicesWithDossiersRateYtd', (r) => r.kpis.yearToDate.onlineServicesWithDossiersRate],
  ['dossiersOverdueOpenYtd', (r) => r.kpis.yearToDate.dossiersOverdueOpen],
  ['proceduresOnlineOutsideCatalogYtd', (r) => r.kpis.yearToDate.proceduresOnlineOutsideCatalog],
  ['score', (r) => r.score.scaled],
  ['band', (r) => r.score.band],
  ['scoreTotal', (r) => r.score.total],
  ['scoreMeasuredMax', (r) => r.score.measuredMax],
  // Every group's points and maximum, so the rescaled score can be checked from the table alone.
  ...INDEX_GROUPS.flatMap((group): [string, (row: UnitRow) => unknown][] => [
    [`${group}Score`, (r) => r.score.groups[group]?.score],
    [`${group}Max`, (r) => r.score.groups[group]?.max],
    [`${group}MeasuredMax`, (r) => r.score.groups[group]?.measuredMax],
  ]),
];

/** The unit table as CSV (RFC 4180), with a byte-order mark so spreadsheet programs read the Vietnamese. */
export function toCsv(rows: readonly UnitRow[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const row of rows) lines.push(COLUMNS.map(([, get]) => cell(get(row))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
