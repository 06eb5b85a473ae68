import { describe, expect, it } from 'vitest';
import type { StatusRecord } from '../../../../shared/domain/evaluation/ports.ts';
import { decide } from '../../../../shared/domain/evaluation/status-machine.ts';

const T = 1_800_000_000_000;
const MIN = 60_000;
const rules = { reminderEveryMs: 24 * 60 * MIN, confirmations: 2 };
const connected: StatusRecord = {
  status: 'connected',
  reasonCodes: [],
  since: T,
  version: 3,
  lastReminderAt: undefined,
  history: [{ status: 'connected', since: T, reasons: [] }],
};
const lost = { status: 'interrupted' as const, reasonCodes: ['connection_interrupted'] };

describe('decide: the status machine', () => {
  it("records a unit's first verdict at once, without an alert of its own: the digest reports it", () => {
    const d = decide(undefined, { status: 'partial', reasonCodes: ['catalog_missing'] }, null, T, rules);
    expect(d.write).toBe('transition');
    expect(d.next).toMatchObject({ status: 'partial', since: T, version: 1 });
    expect(d.alert).toBeNull();
  });

  it('holds a change until two evaluations in a row agree, then records it as of the first', () => {
    const first = decide(connected, lost, null, T + 15 * MIN, rules);
    expect(first).toMatchObject({ write: 'pending', alert: null });
    expect(first.next).toMatchObject({
      status: 'connected',
      version: 4,
      pending: { status: 'interrupted', count: 1, since: T + 15 * MIN },
    });
    const second = decide(first.next, lost, null, T + 30 * MIN, rules);
    expect(second.write).toBe('transition');
    expect(second.next).toMatchObject({ status: 'interrupted', since: T + 15 * MIN, version: 5 });
    expect(second.next?.pending).toBeUndefined();
    expect(second.alert).toEqual({ kind: 'status_change', from: 'connected', to: 'interrupted' });
  });

  it('needs three agreeing evaluations when configured to, not two', () => {
    const three = { ...rules, confirmations: 3 };
    const a = decide(connected, lost, null, T + 15 * MIN, three);
    const b = decide(a.next, lost, null, T + 30 * MIN, three);
    expect(b.write).toBe('pending');
    expect(b.next?.pending?.count).toBe(2);
    expect(decide(b.next, lost, null, T + 45 * MIN, three).write).toBe('transition');
  });

  it('changes at once with one confirmation', () => {
    expect(decide(connected, lost, null, T, { ...rules, confirmations: 1 }).write).toBe('transition');
  });

  it('clears a pending change when the next evaluation agrees with the recorded status', () => {
    const first = decide(connected, lost, null, T + 15 * MIN, rules);
    const back = decide(first.next, { status: 'connected', reasonCodes: [] }, null, T + 30 * MIN, rules);
    expect(back.write).toBe('pending');
    expect(back.next?.pending).toBeUndefined();
    expect(back.next?.status).toBe('connected');
  });

  it('restarts the count when the pending status changes', () => {
    const first = decide(connected, lost, null, T + 15 * MIN, rules);
    const other = decide(first.next, { status: 'partial', reasonCodes: ['x'] }, null, T + 30 * MIN, rules);
    expect(other.write).toBe('pending');
    expect(other.next?.pending).toMatchObject({ status: 'partial', count: 1, since: T + 30 * MIN });
  });

  it('records a held unit’s change without an alert', () => {
    const first = decide(connected, lost, 'maintenance', T + 15 * MIN, rules);
    const second = decide(first.next, lost, 'maintenance', T + 30 * MIN, rules);
    expect(second).toMatchObject({ write: 'transition', alert: null });
  });

  it('reminds an unchanged failure once a day, not a minute sooner', () => {
    const partial: StatusRecord = { ...connected, status: 'partial', reasonCodes: ['catalog_missing'] };
    const verdict = { status: 'partial' as const, reasonCodes: ['catalog_missing'] };
    expect(decide(partial, verdict, null, T + 24 * 60 * MIN - 1, rules).write).toBe('none');
    expect(decide(partial, verdict, null, T + 24 * 60 * MIN, rules)).toMatchObject({
      write: 'reminder',
      alert: { kind: 'reminder' },
    });
    expect(decide(partial, verdict, 'paused', T + 24 * 60 * MIN, rules).write).toBe('none');
  });
});
