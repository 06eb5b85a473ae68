import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../../shared/domain/evaluation/csv.ts';
import { kpis } from '../../../../shared/domain/evaluation/kpis.ts';
import type { UnitRow } from '../../../../shared/schemas/snapshot.ts';

const HEADER =
  'unitCode,name,kind,connectionStatus,reasons,lastHeartbeatAt,lastDossierEventAt,dossiersReceivedYtd,' +
  'onlineRateYtd,fullOnlineRateYtd,onTimeRateYtd,onlinePaymentRateYtd,onlinePaymentAmountVndYtd,' +
  'digitizedRateYtd,onlineServicesWithDossiersRateYtd,dossiersOverdueOpenYtd,proceduresOnlineOutsideCatalogYtd,' +
  'score,band,scoreTotal,scoreMeasuredMax,' +
  'transparencyScore,transparencyMax,transparencyMeasuredMax,progressScore,progressMax,progressMeasuredMax,' +
  'onlineServiceScore,onlineServiceMax,onlineServiceMeasuredMax,digitizationScore,digitizationMax,' +
  'digitizationMeasuredMax,satisfactionScore,satisfactionMax,satisfactionMeasuredMax';

function row(name: string, reasons: string[]): UnitRow {
  const ytd = kpis(
    {
      received: 4,
      receivedOnline: 1,
      fullOnlineEligible: 2,
      fullOnline: 1,
      resolved: 2,
      resolvedWithDueDate: 2,
      resolvedOnTime: 1,
      feeRequired: 4,
      paidOnline: 3,
      paidOnlineAmountVnd: 60_000,
      digitized: 1,
    },
    { procedures: 10, online: 5, fullOnline: 1 },
    { withDossiers: 2, outsideCatalog: 0 },
  );
  return {
    unitCode: 'H48',
    name,
    kind: 'province',
    connection: {
      status: 'partial',
      reasons: reasons.map((code) => ({ code, message: { vi: code, en: code } })),
      since: null,
      lastHeartbeatAt: '2026-11-15T04:59:00.000Z',
      lastDossierEventAt: '2026-11-15T04:00:00.000Z',
      catalogSyncedAt: null,
      alertsHeld: null,
    },
    kpis: { yearToDate: ytd },
    targets: {},
    score: {
      total: 41,
      measuredMax: 82,
      scaled: 50,
      band: 'average',
      groups: {
        transparency: { score: null, max: 18, measuredMax: 0, measured: false },
        progress: { score: 15, max: 20, measuredMax: 20, measured: true },
        onlineService: { score: null, max: 22, measuredMax: 0, measured: true },
        digitization: { score: null, max: 22, measuredMax: 0, measured: true },
        satisfaction: { score: null, max: 18, measuredMax: 0, measured: true },
      },
    },
  } as unknown as UnitRow;
}

describe('toCsv', () => {
  it('writes a byte-order mark, the header and one CRLF line per unit, empty for not applicable', () => {
    expect(toCsv([row('Bắc Ninh', ['catalog_missing', 'dossier_feed_silent'])])).toBe(
      `\uFEFF${HEADER}\r\n` +
        'H48,Bắc Ninh,province,partial,catalog_missing dossier_feed_silent,2026-11-15T04:59:00.000Z,2026-11-15T04:00:00.000Z,4,' +
        '0.25,0.5,0.5,0.75,60000,0.5,0.4,0,0,50,average,41,82,,18,0,15,20,20,,22,0,,22,0,,18,0\r\n',
    );
  });

  it('quotes a cell with a comma, a quote or a line break, doubling the quotes', () => {
    const nameCell = (name: string) =>
      toCsv([row(name, [])])
        .split('\r\n')[1]
        ?.split(',province,')[0];
    expect(nameCell('A, "B"\nC')).toBe('H48,"A, ""B""\nC"');
    expect(nameCell('A,B')).toBe('H48,"A,B"');
    expect(nameCell('say "hi"')).toBe('H48,"say ""hi"""');
    expect(nameCell('two\nlines')).toBe('H48,"two\nlines"');
    expect(nameCell('plain name')).toBe('H48,plain name');
  });

  it('writes a missing value as an empty cell, as it does a null one', () => {
    const unit = row('Bắc Ninh', []);
    const missing = {
      ...unit,
      connection: { ...unit.connection, lastHeartbeatAt: undefined, lastDossierEventAt: null },
    } as unknown as UnitRow;
    expect(toCsv([missing]).split('\r\n')[1]).toContain('partial,,,,4,');
  });

  it('is the header alone for no units', () => {
    expect(toCsv([])).toBe(`\uFEFF${HEADER}\r\n`);
  });
});
