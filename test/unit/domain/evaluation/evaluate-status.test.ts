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
  const registry = new InMemoryRegistry([
    { unitCode: 'H48', name: 'Bắc Ninh', kind: 'province', systems: ['tthc'] },
  ]);
  const statuses = new InMemoryStatusStore();
  const alerts = new RecordingAlerts();
  const snapshots = new InMemorySnapshots();
  const at = (time: number) =>
    evaluate({ config, registry, reader, statuses, alerts, snapshots, at: time, now: time });
  return { at, alerts, snapshots, statuses };
}

describe('connection status across evaluations', () => {
  it('stays interrupted at the second evaluation after the interruption, alerting once per change', async () => {
    const w = world();
    const first = await w.at(T0);
    expect(first.byStatus).toMatchObject({ connected: 1 });
    // 15 minutes after the last heartbeat is within the grace period; one hour is not.
    const within = await w.at(T0 - 60_000 + 900_000);
    expect(within).toMatchObject({ transitions: 0, byStatus: { connected: 1 } });
    const lost = await w.at(T0 + HOUR);
    expect(lost).toMatchObject({ transitions: 1, byStatus: { interrupted: 1 } });
    const still = await w.at(T0 + 2 * HOUR);
    expect(still).toMatchObject({ transitions: 0, byStatus: { interrupted: 1, partial: 0 } });
    const row = w.snapshots.last.latest.units[0];
    expect(row?.connection.status).toBe('interrupted');
    expect(row?.connection.reasons.map((r) => r.code)).toEqual([
      'connection_interrupted',
      'heartbeat_late:tthc',
    ]);
    expect(row?.connection.since).toBe(new Date(T0 + HOUR).toISOString());
    const changes = w.alerts.published.filter((a) => a.kind === 'status_change');
    expect(changes.map((a) => (a.data as { to: string }).to)).toEqual(['connected', 'interrupted']);
    expect((await w.statuses.get('H48'))?.history.map((h) => h.status)).toEqual(['connected', 'interrupted']);
  });

  it('publishes the targets and the score of the year-to-date figures in the unit row', async () => {
    const w = world();
    await w.at(T0);
    const row = w.snapshots.last.latest.units[0];
    // No dossiers at all: every target figure is not applicable, and nothing can be scored.
    const judged = Object.fromEntries(
      Object.entries(row?.targets ?? {}).map(([name, t]) => [name, [t.target, t.source, t.actual, t.met]]),
    );
    expect(judged).toEqual({
      onlineRate: [0.5, 'national_default', null, null],
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
    expect(row?.score).toMatchObject({ total: null, measuredMax: 0, scaled: null, band: null });
  });
});
