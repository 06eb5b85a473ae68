import type { UnitRow } from '../../schemas/snapshot.ts';

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
  ['score', (r) => r.score.scaled],
  ['band', (r) => r.score.band],
];

/** The unit table as CSV (RFC 4180), with a byte-order mark so spreadsheet programs read the Vietnamese. */
export function toCsv(rows: readonly UnitRow[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const row of rows) lines.push(COLUMNS.map(([, get]) => cell(get(row))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
