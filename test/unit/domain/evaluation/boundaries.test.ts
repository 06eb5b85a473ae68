import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import {
  type ConnectionInput,
  type Criteria,
  criteriaFor,
  evaluateConnection,
} from '../../../../shared/domain/evaluation/compliance.ts';
import type { StatusRecord } from '../../../../shared/domain/evaluation/ports.ts';
import { withinTolerance } from '../../../../shared/domain/evaluation/reconciliation-rule.ts';
import { decide } from '../../../../shared/domain/evaluation/status-machine.ts';

// Boundaries not reached by the shipped defaults alone: each rule one step either side of a limit that another
// term of its definition sets (docs/snapshots.md, "connection reasons"; docs/operations.md, "statuses").
const criteria = criteriaFor(loadSettings({}), 'H48');
const AT = Date.parse('2026-11-15T05:00:00Z');
const SECOND = 1000;
const MIN = 60 * SECOND;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function healthy(overrides: Partial<ConnectionInput> = {}): ConnectionInput {
  return {
    at: AT,
    systems: ['tthc'],
    heartbeats: new Map([['tthc', AT - MIN]]),
    lastDossierEventAt: AT - HOUR,
    catalog: { syncedAt: AT - DAY, procedures: 120 },
    reconciliation: [],
    previousStatus: undefined,
    ...overrides,
  };
}

const status = (input: ConnectionInput, rules: Criteria = criteria) =>
  evaluateConnection(input, rules).status;
const heardAt = (ago: number) => new Map([['tthc', AT - ago]]);

describe('the heartbeat grace period is the longest of its three terms', () => {
  it('is missedHeartbeats × expectedEverySeconds when that is longest: 3 × 1,200 s = 3,600 s', () => {
    const slow = {
      ...criteria,
      heartbeat: { graceSeconds: 900, missedHeartbeats: 3, expectedEverySeconds: 1200 },
    };
    expect(status(healthy({ heartbeats: heardAt(3600 * SECOND) }), slow)).toBe('connected');
    expect(status(healthy({ heartbeats: heardAt(3600 * SECOND + 1) }), slow)).toBe('partial');
  });

  it('is two evaluation intervals when the evaluation runs hourly: 7,200 s', () => {
    const hourly = { evaluationEveryMs: HOUR };
    expect(status(healthy({ ...hourly, heartbeats: heardAt(2 * HOUR) }))).toBe('connected');
    expect(status(healthy({ ...hourly, heartbeats: heardAt(2 * HOUR + 1) }))).toBe('partial');
  });

  it('is two 15-minute intervals (1,800 s) when the interval is not given, longer than 900 s and 3 × 300 s', () => {
    expect(status(healthy({ heartbeats: heardAt(1800 * SECOND) }))).toBe('connected');
    expect(status(healthy({ heartbeats: heardAt(1800 * SECOND + 1) }))).toBe('partial');
  });
});

describe('the reconciliation tolerance, 2 dossiers plus 1% of the larger figure', () => {
  const rule = { required: false, tolerance: 0.01, absoluteTolerance: 2 };

  it('allows 4.5 at 250: 4 off is within, 5 is not', () => {
    expect(withinTolerance(250, 246, rule)).toBe(true);
    expect(withinTolerance(250, 245, rule)).toBe(false);
  });

  it('takes 1% of the larger figure, not of the smaller: 300 against 295 allows 5, 295 alone would allow 4.95', () => {
    expect(withinTolerance(300, 295, rule)).toBe(true);
    expect(withinTolerance(295, 300, rule)).toBe(true);
    expect(withinTolerance(300, 294, rule)).toBe(false);
  });

  it('is the relative part alone without a floor: 300 may be off by 3, not 4', () => {
    const relative = { ...rule, absoluteTolerance: 0 };
    expect(withinTolerance(300, 297, relative)).toBe(true);
    expect(withinTolerance(300, 296, relative)).toBe(false);
  });
});

describe('the catalogue age is counted in days', () => {
  const twoDays = { ...criteria, catalog: { maxAgeDays: 2 } };

  it('keeps a catalogue fresh for exactly 2 × 24 hours with maxAgeDays 2, and stale a millisecond later', () => {
    expect(status(healthy({ catalog: { syncedAt: AT - 2 * DAY, procedures: 1 } }), twoDays)).toBe(
      'connected',
    );
    expect(status(healthy({ catalog: { syncedAt: AT - 2 * DAY - 1, procedures: 1 } }), twoDays)).toBe(
      'partial',
    );
  });

  it('keeps a 47-hour-old catalogue fresh with maxAgeDays 2', () => {
    expect(status(healthy({ catalog: { syncedAt: AT - 47 * HOUR, procedures: 1 } }), twoDays)).toBe(
      'connected',
    );
  });
});

describe('the evaluations after an interruption, with two confirmations', () => {
  const rules = { reminderEveryMs: DAY, confirmations: 2 };
  const T0 = AT - 60 * MIN;
  const record: StatusRecord = {
    status: 'connected',
    reasonCodes: [],
    since: T0,
    version: 1,
    lastReminderAt: undefined,
    history: [{ status: 'connected', since: T0, reasons: [] }],
  };
  const lastHeard = AT - 40 * MIN;
  // The first evaluation a millisecond past the grace, then every 15 minutes.
  const t1 = lastHeard + 1800 * SECOND + 1;
  const t2 = t1 + 15 * MIN;
  const t3 = t2 + 15 * MIN;

  /** One evaluation: the connection judged against the recorded status, then the status machine. */
  function evaluation(previous: StatusRecord, at: number, heard: number) {
    const verdict = evaluateConnection(
      healthy({ at, heartbeats: new Map([['tthc', heard]]), previousStatus: previous.status }),
      criteria,
    );
    const decision = decide(
      previous,
      { status: verdict.status, reasonCodes: verdict.reasons.map((r) => r.code) },
      null,
      at,
      rules,
    );
    if (!decision.next) throw new Error('the status machine kept no record');
    return { verdict: verdict.status, decision, next: decision.next };
  }

  it('holds the first "interrupted", records it at the second, and keeps it at the third', () => {
    const first = evaluation(record, t1, lastHeard);
    expect([first.verdict, first.decision.write, first.next.status]).toEqual([
      'interrupted',
      'pending',
      'connected',
    ]);
    const second = evaluation(first.next, t2, lastHeard);
    expect([second.verdict, second.decision.write, second.next.status]).toEqual([
      'interrupted',
      'transition',
      'interrupted',
    ]);
    const third = evaluation(second.next, t3, lastHeard);
    expect([third.verdict, third.next.status, third.decision.alert]).toEqual([
      'interrupted',
      'interrupted',
      null,
    ]);
  });

  it('drops the pending interruption when the second evaluation hears a heartbeat exactly the grace period old', () => {
    const first = evaluation(record, t1, lastHeard);
    const back = evaluation(first.next, t2, t2 - 1800 * SECOND);
    expect([back.verdict, back.next.status, back.next.pending]).toEqual([
      'connected',
      'connected',
      undefined,
    ]);
    const late = evaluation(first.next, t2, t2 - 1800 * SECOND - 1);
    expect([late.verdict, late.decision.write, late.next.status]).toEqual([
      'interrupted',
      'transition',
      'interrupted',
    ]);
  });
});
