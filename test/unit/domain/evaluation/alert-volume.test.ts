import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import { evaluate } from '../../../../shared/domain/evaluation/evaluate.ts';
import { listHolds, settleHold, UnknownHoldError } from '../../../../shared/domain/evaluation/holds.ts';
import {
  InMemoryEvaluationReader,
  InMemoryRegistry,
  InMemorySnapshots,
  InMemoryStatusStore,
  RecordingAlerts,
} from '../../../fakes/evaluation.ts';

const config = loadSettings({});
const MINUTE = 60_000;
const T0 = Date.parse('2026-11-17T03:00:00Z'); // 10:00 in Vietnam, a Tuesday, after the daily digest hour

const codes = (n: number) => Array.from({ length: n }, (_, i) => `H${String(i + 1).padStart(2, '0')}`);

/** `n` units, each sending everything a fully connected unit sends, as of T0. */
function world(n: number) {
  const reader = new InMemoryEvaluationReader();
  for (const code of codes(n)) {
    reader.addCounters(code, `000.00.10.${code}`, '2026-11-16', { received: 2 });
    reader.setSignals(code, {
      heartbeats: new Map([['tthc', T0 - MINUTE]]),
      lastDossierEventAt: T0 - 10 * MINUTE,
      catalog: { syncedAt: T0 - 60 * MINUTE, procedures: 10, online: 4, fullOnline: 2 },
    });
  }
  const registry = new InMemoryRegistry(
    codes(n).map((unitCode) => ({ unitCode, name: `Tỉnh ${unitCode}`, kind: 'province', systems: ['tthc'] })),
  );
  const statuses = new InMemoryStatusStore();
  const alerts = new RecordingAlerts();
  const snapshots = new InMemorySnapshots();
  const at = (time: number) =>
    evaluate({ config, registry, reader, statuses, alerts, snapshots, at: time, now: time });
  /** The first `k` units lose their heartbeats (their last one stays at T0 − 1 min). */
  const kinds = (kind: string) => alerts.published.filter((a) => a.kind === kind);
  return { reader, statuses, alerts, at, kinds };
}

/** Evaluates at T0, then twice after the first `lost` units' heartbeats lapsed (a change takes two). */
async function lapse(n: number, lost: number) {
  const w = world(n);
  await w.at(T0);
  for (const code of codes(n).slice(lost))
    w.reader.setSignals(code, { heartbeats: new Map([['tthc', T0 + 2 * 60 * MINUTE]]) });
  await w.at(T0 + 2 * 60 * MINUTE);
  await w.at(T0 + 2 * 60 * MINUTE + 15 * MINUTE);
  return w;
}

describe('alerts a ministry can read', () => {
  it("puts every unit's first verdict into the digest, not into an alert of its own", async () => {
    const w = world(83);
    await w.at(T0);
    expect(w.kinds('status_change')).toHaveLength(0);
    const [digest] = w.kinds('daily_digest');
    const data = digest?.data as { firstVerdicts: { unitCode: string; status: string }[] };
    expect(data.firstVerdicts).toHaveLength(83);
    expect(data.firstVerdicts[0]).toEqual({ unitCode: 'H01', status: 'connected' });
    expect(digest?.text).toContain('Đánh giá lần đầu (83)');
    expect(digest?.text).toContain('First verdicts (83)');
  });

  it('alerts each unit when few change: 4 of 10, under the 5-unit minimum', async () => {
    const w = await lapse(10, 4);
    expect(w.kinds('status_change')).toHaveLength(4);
    expect(w.kinds('alerts_held')).toHaveLength(0);
  });

  it('alerts each unit when 5 of 25 change: exactly 20%, not above it', async () => {
    const w = await lapse(25, 5);
    expect(w.kinds('status_change')).toHaveLength(5);
    expect(w.kinds('alerts_held')).toHaveLength(0);
  });

  it('holds the alerts when 6 of 25 change at once, and sends the operator one alert that says so', async () => {
    const w = await lapse(25, 6);
    expect(w.kinds('status_change')).toHaveLength(0);
    const [held] = w.kinds('alerts_held');
    expect(held?.subject).toBe('[EMC] Tạm giữ 6 cảnh báo / 6 alerts held');
    expect(held?.text).toContain('emc alerts release hold-2026-11-17T05:15:00.000Z');
    expect(held?.text).toContain('6 of 25 units changed status at once');
    const holds = await listHolds(w.statuses);
    expect(holds.map((h) => [h.holdId, h.alerts.map((a) => a.unitCode)])).toEqual([
      ['hold-2026-11-17T05:15:00.000Z', codes(6)],
    ]);
    // The statuses themselves are recorded.
    expect((await w.statuses.get('H01'))?.status).toBe('interrupted');
  });

  it('sends the held alerts on release, once', async () => {
    const w = await lapse(10, 5);
    const [hold] = await listHolds(w.statuses);
    const result = await settleHold(
      { statuses: w.statuses, alerts: w.alerts, now: T0 + 3 * 60 * MINUTE },
      hold?.holdId ?? '',
      'release',
    );
    expect(result).toEqual({ holdId: hold?.holdId, action: 'release', alerts: 5, sent: 5 });
    expect(w.kinds('status_change').map((a) => a.unitCode)).toEqual(codes(5));
    expect(await listHolds(w.statuses)).toEqual([]);
    await w.at(T0 + 3 * 60 * MINUTE);
    expect(w.kinds('status_change')).toHaveLength(5);
  });

  it('deletes the held alerts on drop, and sends none of them later', async () => {
    const w = await lapse(10, 5);
    const [hold] = await listHolds(w.statuses);
    const deps = { statuses: w.statuses, alerts: w.alerts, now: T0 + 3 * 60 * MINUTE };
    expect(await settleHold(deps, hold?.holdId ?? '', 'drop')).toMatchObject({ alerts: 5, sent: 0 });
    await w.at(T0 + 3 * 60 * MINUTE);
    expect(w.kinds('status_change')).toHaveLength(0);
    await expect(settleHold(deps, hold?.holdId ?? '', 'release')).rejects.toThrow(UnknownHoldError);
  });
});
