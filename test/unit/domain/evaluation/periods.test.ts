import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import { evaluate } from '../../../../shared/domain/evaluation/evaluate.ts';
import type { UnitInput } from '../../../../shared/schemas/registry.ts';
import type { Period } from '../../../../shared/schemas/snapshot.ts';
import {
  InMemoryEvaluationReader,
  InMemoryRegistry,
  InMemorySnapshots,
  InMemoryStatusStore,
  RecordingAlerts,
} from '../../../fakes/evaluation.ts';

const config = loadSettings({});
const AGENCY = '000.00.10.H48';
const DAY = 86_400_000;

/** Every calendar day from `from` to `to`, inclusive, counted with a plain UTC date loop. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += DAY) {
    out.push(new Date(ms).toISOString().slice(0, 10));
  }
  return out;
}

/** One dossier received on every day in the range, so a period's count is its number of days. */
function oneADay(from: string, to: string): InMemoryEvaluationReader {
  const reader = new InMemoryEvaluationReader();
  for (const day of daysBetween(from, to)) reader.addCounters('H48', AGENCY, day, { received: 1 });
  reader.setSignals('H48', {
    catalog: {
      syncedAt: 0,
      procedures: 10,
      online: 4,
      fullOnline: 2,
      levels: { '1.000001': 'full', '1.000002': 'partial', '1.000003': 'full', '1.000004': 'full' },
    },
  });
  return reader;
}

async function run(
  reader: InMemoryEvaluationReader,
  atIso: string,
  unit: Partial<UnitInput> = {},
  mode: 'live' | 'asOf' = 'live',
) {
  const snapshots = new InMemorySnapshots();
  const at = Date.parse(atIso);
  await evaluate({
    config,
    registry: new InMemoryRegistry([
      {
        unitCode: 'H48',
        name: 'Bắc Ninh',
        kind: 'province',
        systems: ['tthc'],
        agencies: [{ agencyCode: AGENCY, name: 'Sở Tư pháp', level: 'department' }],
        ...unit,
      },
    ]),
    reader,
    statuses: new InMemoryStatusStore(),
    alerts: new RecordingAlerts(),
    snapshots,
    at,
    // An evaluation of the past runs later than the time it evaluates.
    now: mode === 'asOf' ? at + 30 * DAY : at,
    mode,
  });
  if (mode === 'asOf') {
    const files = snapshots.publishedAsOf.at(-1);
    if (!files) throw new Error('nothing was published as of the past');
    return files;
  }
  return snapshots.last;
}

const received = (kpis: Record<Period, { dossiersReceived: number }>): Record<Period, number> => ({
  today: kpis.today.dossiersReceived,
  last7Days: kpis.last7Days.dossiersReceived,
  monthToDate: kpis.monthToDate.dossiersReceived,
  quarterToDate: kpis.quarterToDate.dossiersReceived,
  yearToDate: kpis.yearToDate.dossiersReceived,
});

/**
 * Expected counts are days of the calendar, counted by hand: 2026 has Jan 31, Feb 28, Mar 31, Apr 30,
 * May 31, Jun 30, Jul 31, Aug 31, Sep 30, Oct 31, Nov 30, Dec 31; 2028 is a leap year (Feb 29).
 */
const cases: [string, string, Record<Period, number>][] = [
  // 12:00 in Vietnam on 15 Nov: October (31) + 15 days of November; Jan–Oct is 304 days.
  [
    'mid-quarter',
    '2026-11-15T05:00:00Z',
    { today: 1, last7Days: 7, monthToDate: 15, quarterToDate: 46, yearToDate: 319 },
  ],
  // 23:59 on 31 Mar, the last minute of Q1: 31 + 28 + 31.
  [
    'last minute of Q1',
    '2026-03-31T16:59:00Z',
    { today: 1, last7Days: 7, monthToDate: 31, quarterToDate: 90, yearToDate: 90 },
  ],
  [
    'first minute of Q2',
    '2026-03-31T17:00:00Z',
    { today: 1, last7Days: 7, monthToDate: 1, quarterToDate: 1, yearToDate: 91 },
  ],
  // 30 + 31 + 30 = 91 for Q2; 90 + 91 = 181 to the end of June.
  [
    'last minute of Q2',
    '2026-06-30T16:59:00Z',
    { today: 1, last7Days: 7, monthToDate: 30, quarterToDate: 91, yearToDate: 181 },
  ],
  [
    'first minute of Q3',
    '2026-06-30T17:00:00Z',
    { today: 1, last7Days: 7, monthToDate: 1, quarterToDate: 1, yearToDate: 182 },
  ],
  // 31 + 31 + 30 = 92 for Q3; 181 + 92 = 273.
  [
    'last minute of Q3',
    '2026-09-30T16:59:00Z',
    { today: 1, last7Days: 7, monthToDate: 30, quarterToDate: 92, yearToDate: 273 },
  ],
  [
    'first minute of Q4',
    '2026-09-30T17:00:00Z',
    { today: 1, last7Days: 7, monthToDate: 1, quarterToDate: 1, yearToDate: 274 },
  ],
  // The second month of a quarter: 1 Nov is October's 31 days plus one.
  [
    'first minute of November',
    '2026-10-31T17:00:00Z',
    { today: 1, last7Days: 7, monthToDate: 1, quarterToDate: 32, yearToDate: 305 },
  ],
  [
    'last minute of the year',
    '2026-12-31T16:59:00Z',
    { today: 1, last7Days: 7, monthToDate: 31, quarterToDate: 92, yearToDate: 365 },
  ],
  // The 7 days to 1 Jan 2027 reach back into 2026; nothing else does.
  [
    'first minute of 2027',
    '2026-12-31T17:00:00Z',
    { today: 1, last7Days: 7, monthToDate: 1, quarterToDate: 1, yearToDate: 1 },
  ],
  [
    'the leap day',
    '2028-02-29T05:00:00Z',
    { today: 1, last7Days: 7, monthToDate: 29, quarterToDate: 60, yearToDate: 60 },
  ],
  // 31 + 29 + 31 in a leap year's first quarter.
  [
    'last minute of Q1 2028',
    '2028-03-31T16:59:00Z',
    { today: 1, last7Days: 7, monthToDate: 31, quarterToDate: 91, yearToDate: 91 },
  ],
];

describe('period figures at Vietnam midnight', () => {
  const reader = oneADay('2025-12-01', '2028-12-31');

  it.each(cases)(
    'counts today, 7 days, month, quarter and year to date at the %s',
    async (_name, at, expected) => {
      const files = await run(reader, at);
      expect(received(files.latest.units[0]?.kpis ?? ({} as never))).toEqual(expected);
      expect(received(files.latest.national.kpis)).toEqual(expected);
    },
  );

  it('leaves out days after the day evaluated, even when their counters exist', async () => {
    // At 23:59 on 15 Nov the 16th (and later) already hold dossiers in this store: a backfill cannot move
    // them into the past.
    const files = await run(reader, '2026-11-15T16:59:00Z');
    expect(received(files.latest.units[0]?.kpis ?? ({} as never))).toEqual({
      today: 1,
      last7Days: 7,
      monthToDate: 15,
      quarterToDate: 46,
      yearToDate: 319,
    });
  });

  it("gives an agency the same month, quarter and year as its unit, from the agency's own counters", async () => {
    // The store ends on the day evaluated, as it does when evaluating now.
    const files = await run(oneADay('2025-12-01', '2026-09-30'), '2026-09-30T16:59:00Z');
    const agency = files.units[0]?.agencies[0];
    expect(agency?.agencyCode).toBe(AGENCY);
    expect(received(agency?.kpis ?? ({} as never))).toEqual({
      today: 1,
      last7Days: 7,
      monthToDate: 30,
      quarterToDate: 92,
      yearToDate: 273,
    });
  });

  describe('an agency evaluated in the past (--at), with later days already counted', () => {
    // The store runs to the end of the year, so the month counters of the month evaluated also hold its
    // later days; only the days up to the day evaluated may count.
    const agencyReceived = async (at: string) => {
      const files = await run(oneADay('2026-01-01', '2026-12-31'), at, {}, 'asOf');
      return received(files.units[0]?.agencies[0]?.kpis ?? ({} as never));
    };

    it('counts up to the last minute of the day evaluated, 15 November', async () => {
      // Jan–Oct is 304 days, October 31: Q4 so far is 31 + 15.
      expect(await agencyReceived('2026-11-15T16:59:00Z')).toEqual({
        today: 1,
        last7Days: 7,
        monthToDate: 15,
        quarterToDate: 46,
        yearToDate: 319,
      });
    });

    it('counts one day more a minute later, on 16 November', async () => {
      expect(await agencyReceived('2026-11-15T17:00:00Z')).toEqual({
        today: 1,
        last7Days: 7,
        monthToDate: 16,
        quarterToDate: 47,
        yearToDate: 320,
      });
    });

    it('counts one day less on the day before, 14 November', async () => {
      expect(await agencyReceived('2026-11-14T05:00:00Z')).toEqual({
        today: 1,
        last7Days: 7,
        monthToDate: 14,
        quarterToDate: 45,
        yearToDate: 318,
      });
    });

    it('counts the whole month at its last minute and none of the next, 30 September', async () => {
      expect(await agencyReceived('2026-09-30T16:59:00Z')).toEqual({
        today: 1,
        last7Days: 7,
        monthToDate: 30,
        quarterToDate: 92,
        yearToDate: 273,
      });
    });
  });

  it('keeps a 90-day series ending today, oldest first', async () => {
    const files = await run(reader, '2026-11-15T05:00:00Z');
    const series = files.units[0]?.series ?? [];
    expect(series).toHaveLength(90);
    // 15 Nov back 89 days: 15 in November, 31 in October, 30 in September, 13 in August → 18 Aug.
    expect(series[0]?.date).toBe('2026-08-18');
    expect(series.at(-1)?.date).toBe('2026-11-15');
    expect(series.every((point) => point.kpis.dossiersReceived === 1)).toBe(true);
  });
});

describe('open dossiers past their due date', () => {
  // 15 Nov 2026, 12:00 in Vietnam. One open dossier is due on each of 31 Oct, 14 Nov, 15 Nov and 16 Nov;
  // two dossiers were resolved with a due date, one of them on time.
  function withOpenDossiers(): InMemoryEvaluationReader {
    const reader = new InMemoryEvaluationReader();
    for (const day of ['2026-10-31', '2026-11-14', '2026-11-15', '2026-11-16'])
      reader.addCounters('H48', AGENCY, day, { openWithDueDate: 1 });
    reader.addCounters('H48', AGENCY, '2026-11-10', {
      resolved: 2,
      resolvedWithDueDate: 2,
      resolvedOnTime: 1,
    });
    return reader;
  }

  it('counts a dossier due yesterday as overdue and one due today as not yet, per unit and agency', async () => {
    const latest = await run(withOpenDossiers(), '2026-11-15T05:00:00Z');
    const kpis = latest.latest.units[0]?.kpis;
    expect(kpis?.today.dossiersOverdueOpen).toBe(0);
    expect(kpis?.last7Days.dossiersOverdueOpen).toBe(1);
    expect(kpis?.monthToDate.dossiersOverdueOpen).toBe(1);
    expect(kpis?.quarterToDate.dossiersOverdueOpen).toBe(2);
    expect(latest.units[0]?.agencies[0]?.kpis.monthToDate.dossiersOverdueOpen).toBe(1);
    expect(latest.units[0]?.agencies[0]?.kpis.quarterToDate.dossiersOverdueOpen).toBe(2);
  });

  it('puts open overdue dossiers into the on-time denominator by default', async () => {
    const month = (await run(withOpenDossiers(), '2026-11-15T05:00:00Z')).latest.units[0]?.kpis.monthToDate;
    // 1 on time / (2 resolved with a due date + 1 open and overdue).
    expect(month).toMatchObject({ onTimeDenominator: 3, dossiersOnTime: 1, onTimeRate: 1 / 3 });
  });
});

describe('targets in the unit files', () => {
  it('gives an agency its unit’s target for its level ahead of the unit’s default, for each period', async () => {
    const reader = oneADay('2026-11-01', '2026-11-15');
    const snapshot = await run(reader, '2026-11-15T05:00:00Z', {
      targets: { onlineRate: 0.45 },
      targetsByLevel: { commune: { onlineRate: { min: 0.25, max: 0.3 } } },
      agencies: [{ agencyCode: AGENCY, name: 'UBND xã', level: 'commune' }],
    });
    const target = snapshot.units[0]?.agencies[0]?.targets.onlineRate;
    expect(target).toMatchObject({ target: 0.25, targetMax: 0.3, source: 'unit_level' });
    expect(Object.keys(target?.periods ?? {})).toEqual(['monthToDate', 'quarterToDate', 'yearToDate']);
    expect(snapshot.latest.units[0]?.targets.onlineRate).toMatchObject({
      target: 0.45,
      source: 'unit_default',
    });
  });
});

describe('online services with dossiers, by period', () => {
  // Four online services in the catalogue; one had online dossiers in July, October, November and December.
  function withServices(): InMemoryEvaluationReader {
    return oneADay('2026-01-01', '2026-12-31')
      .addOnlineDossiers('H48', '1.000001', '2026-07', 2)
      .addOnlineDossiers('H48', '1.000002', '2026-10', 1)
      .addOnlineDossiers('H48', '1.000003', '2026-11', 5)
      .addOnlineDossiers('H48', '1.000004', '2026-12', 1)
      .addOnlineDossiers('H48', '1.000004', '2025-11', 1);
  }

  it('counts a service once per period in which it had an online dossier, up to the day evaluated', async () => {
    const kpis = (await run(withServices(), '2026-11-15T05:00:00Z')).latest.units[0]?.kpis;
    const figures = (period: Period) => ({
      count: kpis?.[period].onlineServicesWithDossiers,
      rate: kpis?.[period].onlineServicesWithDossiersRate,
    });
    expect(figures('today')).toEqual({ count: null, rate: null });
    expect(figures('last7Days')).toEqual({ count: null, rate: null });
    // November: the third service. Q4 so far: the second and third. The year: first, second, third.
    expect(figures('monthToDate')).toEqual({ count: 1, rate: 0.25 });
    expect(figures('quarterToDate')).toEqual({ count: 2, rate: 0.5 });
    expect(figures('yearToDate')).toEqual({ count: 3, rate: 0.75 });
  });

  it('counts only the catalogue’s online procedures, and reports the others as a data-quality count', async () => {
    // 1.000009 is not in the catalogue, 1.000010 is listed offline: neither may lift the rate above 100%.
    const reader = oneADay('2026-11-01', '2026-11-15');
    reader.setSignals('H48', {
      catalog: {
        syncedAt: 0,
        procedures: 3,
        online: 1,
        fullOnline: 1,
        levels: { '1.000001': 'full', '1.000010': 'none', '1.000011': 'none' },
      },
    });
    reader
      .addOnlineDossiers('H48', '1.000001', '2026-11', 2)
      .addOnlineDossiers('H48', '1.000009', '2026-11', 1)
      .addOnlineDossiers('H48', '1.000010', '2026-11', 4);
    const kpis = (await run(reader, '2026-11-15T05:00:00Z')).latest.units[0]?.kpis.monthToDate;
    expect(kpis?.onlineServicesWithDossiers).toBe(1);
    expect(kpis?.onlineServicesWithDossiersRate).toBe(1);
    expect(kpis?.proceduresOnlineOutsideCatalog).toBe(2);
  });

  it('publishes online services as unknown when the catalogue names no procedures', async () => {
    const reader = oneADay('2026-11-01', '2026-11-15').addOnlineDossiers('H48', '1.000001', '2026-11', 2);
    reader.setSignals('H48', { catalog: { syncedAt: 0, procedures: 3, online: 1, fullOnline: 1 } });
    const kpis = (await run(reader, '2026-11-15T05:00:00Z')).latest.units[0]?.kpis.monthToDate;
    expect(kpis?.onlineServicesWithDossiers).toBeNull();
    expect(kpis?.onlineServicesWithDossiersRate).toBeNull();
    expect(kpis?.proceduresOnlineOutsideCatalog).toBeNull();
  });

  it('starts a new quarter with only its own month', async () => {
    const kpis = (await run(withServices(), '2026-09-30T17:00:00Z')).latest.units[0]?.kpis;
    expect(kpis?.monthToDate.onlineServicesWithDossiers).toBe(1);
    expect(kpis?.quarterToDate.onlineServicesWithDossiers).toBe(1);
    expect(kpis?.yearToDate.onlineServicesWithDossiers).toBe(2);
  });
});
