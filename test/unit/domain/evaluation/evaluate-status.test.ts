import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import { evaluate } from '../../../../shared/domain/evaluation/evaluate.ts';
import {
  InMemoryEvaluationReader,
  InMemoryRegistry,
  InMemorySnapshots,
  InMemoryStatusStore,
  RecordingAlerts,
} from '../../../fakes/evaluation.ts';

const config = loadSettings({});
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-15T03:00:00Z'); // 10:00 in Vietnam, after the daily digest hour

function world() {
  const reader = new InMemoryEvaluationReader().setSignals('H48', {
    heartbeats: new Map([['tthc', T0 - 60_000]]),
    lastDossierEventAt: T0 - HOUR,
    catalog: { syncedAt: T0 - 24 * HOUR, procedures: 10, online: 4, fullOnline: 2, levels: {} },
    dailyTotals: [
      {
        date: '2026-11-14',
        reportedAt: T0 - HOUR,
        received: 0,
        receivedOnline: 0,
        resolved: 0,
        resolvedOnTime: 0,
      },
    ],
  });
  // A real flow: dossiers received in the last 14 days (before the days its totals reconcile).
  reader.addCounters('H48', '000.00.10.H48', '2026-11-05', { received: 3 });
  const registry = new InMemoryRegistry([
    { unitCode: 'H48', name: 'Bắc Ninh', kind: 'province', systems: ['tthc'] },
  ]);
  const statuses = new InMemoryStatusStore();
  const alerts = new RecordingAlerts();
  const snapshots = new InMemorySnapshots();
  const at = (time: number) =>
    evaluate({ config, registry, reader, statuses, alerts, snapshots, at: time, now: time });
  return { at, alerts, snapshots, statuses, registry, reader };
}

describe('connection status across evaluations', () => {
  it('records an interruption once two evaluations in a row agree, as of the first, alerting once per change', async () => {
    const w = world();
    const first = await w.at(T0);
    expect(first.byStatus).toMatchObject({ connected: 1 });
    // 30 minutes (two evaluation intervals) after the last heartbeat is within the grace; a minute more is not.
    const within = await w.at(T0 - 60_000 + 1_800_000);
    expect(within).toMatchObject({ transitions: 0, byStatus: { connected: 1 } });
    const lost = await w.at(T0 + HOUR);
    expect(lost).toMatchObject({ transitions: 0, byStatus: { connected: 1 } });
    expect(w.snapshots.last.latest.units[0]?.connection.pending).toEqual({
      status: 'interrupted',
      count: 1,
      of: 2,
      since: new Date(T0 + HOUR).toISOString(),
    });
    const confirmed = await w.at(T0 + HOUR + 15 * 60_000);
    expect(confirmed).toMatchObject({ transitions: 1, byStatus: { interrupted: 1 } });
    const still = await w.at(T0 + 2 * HOUR);
    expect(still).toMatchObject({ transitions: 0, byStatus: { interrupted: 1, partial: 0 } });
    const row = w.snapshots.last.latest.units[0];
    expect(row?.connection.status).toBe('interrupted');
    expect(row?.connection.pending).toBeUndefined();
    expect(row?.connection.reasons.map((r) => r.code)).toEqual([
      'connection_interrupted',
      'heartbeat_late:tthc',
    ]);
    expect(row?.connection.since).toBe(new Date(T0 + HOUR).toISOString());
    const changes = w.alerts.published.filter((a) => a.kind === 'status_change');
    expect(changes.map((a) => (a.data as { to: string }).to)).toEqual(['interrupted']);
    expect((await w.statuses.get('H48'))?.history.map((h) => h.status)).toEqual(['connected', 'interrupted']);
  });

  it('goes on counting after a restart: the pending change is stored with the status', async () => {
    const w = world();
    await w.at(T0);
    await w.at(T0 + HOUR);
    expect((await w.statuses.get('H48'))?.pending).toMatchObject({ status: 'interrupted', count: 1 });
    // A new evaluation process keeps nothing in memory; it reads the same store.
    const restarted = await evaluate({
      config,
      registry: w.registry,
      reader: w.reader,
      statuses: w.statuses,
      alerts: w.alerts,
      snapshots: w.snapshots,
      at: T0 + HOUR + 15 * 60_000,
      now: T0 + HOUR + 15 * 60_000,
    });
    expect(restarted).toMatchObject({ transitions: 1, byStatus: { interrupted: 1 } });
  });

  it('forgets a single disagreeing evaluation: one late reading between two good ones changes nothing', async () => {
    const w = world();
    await w.at(T0);
    await w.at(T0 + HOUR);
    w.reader.setSignals('H48', { heartbeats: new Map([['tthc', T0 + HOUR + 10 * 60_000]]) });
    const back = await w.at(T0 + HOUR + 15 * 60_000);
    expect(back).toMatchObject({ transitions: 0, byStatus: { connected: 1 } });
    expect((await w.statuses.get('H48'))?.pending).toBeUndefined();
    expect(w.alerts.published.filter((a) => a.kind === 'status_change')).toHaveLength(0);
  });

  it('publishes the targets and the score of the year-to-date figures in the unit row', async () => {
    const w = world();
    await w.at(T0);
    const row = w.snapshots.last.latest.units[0];
    // Three dossiers received in person, none resolved: the online rate is 0; every other target figure is
    // not applicable, and nothing can be scored.
    const judged = Object.fromEntries(
      Object.entries(row?.targets ?? {}).map(([name, t]) => [name, [t.target, t.source, t.actual, t.met]]),
    );
    expect(judged).toEqual({
      onlineRate: [0.5, 'national_default', 0, false],
      fullOnlineRate: [0.5, 'national_default', null, null],
      onTimeRate: [0.95, 'national_default', null, null],
      onlineServicesWithDossiersRate: [0.65, 'national_default', 0, false],
      onlinePaymentRate: [0.5, 'national_default', null, null],
      digitizedRate: [0.8, 'national_default', null, null],
    });
    expect(row?.targets.onlineServicesWithDossiersRate?.periods.monthToDate).toEqual({
      actual: 0,
      met: false,
      withinRange: null,
    });
    // Only the online rate (12 of online service's 22 points) is applicable, and it earns nothing: too little
    // is measured for a band.
    expect(row?.score).toMatchObject({ total: 0, measuredMax: 12, scaled: 0, band: 'not_enough_data' });
  });

  it('does not rank a unit that is not fully connected: no score or band, its figures still published', async () => {
    const w = world();
    // The catalogue is gone: the unit is partial. It still sent 10 dossiers, 6 of them online.
    w.reader.setSignals('H48', { catalog: undefined });
    w.reader.addCounters('H48', '000.00.10.H48', '2026-11-15', { received: 10, receivedOnline: 6 });
    await w.at(T0);
    const row = w.snapshots.last.latest.units[0];
    expect(row?.connection.status).toBe('partial');
    expect(row?.kpis.today).toMatchObject({ dossiersReceived: 10, onlineRate: 0.6 });
    expect(row?.score).toMatchObject({
      total: null,
      scaled: null,
      band: null,
      notEvaluated: 'not_connected',
    });
    // Every group of docs/snapshots.md is there, and none is scored.
    expect(
      Object.fromEntries(Object.entries(row?.score.groups ?? {}).map(([name, g]) => [name, g.score])),
    ).toEqual({
      transparency: null,
      progress: null,
      onlineService: null,
      digitization: null,
      satisfaction: null,
    });
    // Connected again (after two agreeing evaluations), it is scored.
    w.reader.setSignals('H48', {
      catalog: { syncedAt: T0, procedures: 10, online: 4, fullOnline: 2 },
      heartbeats: new Map([['tthc', T0 + 14 * 60_000]]),
      lastDossierEventAt: T0 + 14 * 60_000,
    });
    await w.at(T0 + 15 * 60_000);
    await w.at(T0 + 30 * 60_000);
    const back = w.snapshots.last.latest.units[0];
    expect(back?.connection.status).toBe('connected');
    expect(back?.score.notEvaluated).toBeUndefined();
    expect(back?.score.groups.onlineService?.score).not.toBeNull();
  });
});
