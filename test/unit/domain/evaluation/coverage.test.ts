import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import type { CounterValues } from '../../../../shared/domain/dossier/counters.ts';
import type { ConnectionResult } from '../../../../shared/domain/evaluation/compliance.ts';
import {
  type CoverageInput,
  closureDays,
  coverageOf,
  coverageReasons,
  withCoverage,
  withCoverageReads,
} from '../../../../shared/domain/evaluation/coverage.ts';
import { calendar, planFor } from '../../../../shared/domain/evaluation/periods.ts';

const RULE = loadSettings({}).compliance.coverage;
const GRACE = 3;
const TODAY = '2026-11-18';
const AGENCIES = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'];

/** `count` days before TODAY, written out rather than computed by the code under test. */
const NOV = (day: number): string => `2026-11-${String(day).padStart(2, '0')}`;

function input(overrides: Partial<CoverageInput> = {}): CoverageInput {
  return {
    agencies: [],
    agencyDays: new Map(),
    // Enough flow that the agencies and the procedures are judged; the guard has tests of its own.
    unitDays: new Map([[TODAY, { received: 100, receivedOnline: 100 }]]),
    levels: undefined,
    onlineByMonth: new Map(),
    ...overrides,
  };
}

/** Agencies that each received one dossier on `day`. */
const sentOn = (day: string, codes: string[]): Map<string, Map<string, CounterValues>> =>
  new Map([[day, new Map(codes.map((code) => [code, { received: 1 }]))]]);

describe('coverage of agencies', () => {
  it('passes at exactly half of the listed agencies, and fails one agency below, naming the silent ones', () => {
    const half = coverageOf(
      input({ agencies: AGENCIES, agencyDays: sentOn(TODAY, ['A1', 'A2', 'A3']) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(half.agencies).toMatchObject({ value: 0.5, numerator: 3, denominator: 6, threshold: 0.5 });
    expect(coverageReasons(half, 30, GRACE)).toEqual([]);
    const less = coverageOf(
      input({ agencies: AGENCIES, agencyDays: sentOn(TODAY, ['A1', 'A2']) }),
      TODAY,
      RULE,
      GRACE,
    );
    const [reason] = coverageReasons(less, 30, GRACE);
    expect(reason?.code).toBe('coverage_agencies_low');
    expect(reason?.vi).toBe(
      'Chỉ 2/6 cơ quan (33.3%) gửi hồ sơ trong 30 ngày, dưới mức 50.0%; chưa gửi: A3, A4, A5, A6.',
    );
    expect(reason?.en).toBe(
      'Only 2/6 agencies (33.3%) sent dossiers in 30 days, below 50.0%; silent: A3, A4, A5, A6.',
    );
  });

  it('counts a day 29 days before today, the window’s first, and not one 30 days before', () => {
    const first = coverageOf(
      input({ agencies: AGENCIES, agencyDays: sentOn('2026-10-20', ['A1']) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(first).toMatchObject({ from: '2026-10-20', to: TODAY, agencies: { numerator: 1 } });
    const before = coverageOf(
      input({ agencies: AGENCIES, agencyDays: sentOn('2026-10-19', ['A1']) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(before.agencies.numerator).toBe(0);
  });

  it('ignores agencies the registry does not list, and counts an all-zero cell as silent', () => {
    const days = new Map([
      [
        TODAY,
        new Map<string, CounterValues>([
          ['A1', { received: 1 }],
          ['X9', { received: 5 }],
          ['A2', { received: 0 }],
        ]),
      ],
    ]);
    expect(
      coverageOf(input({ agencies: AGENCIES, agencyDays: days }), TODAY, RULE, GRACE).agencies,
    ).toMatchObject({
      numerator: 1,
      denominator: 6,
    });
  });

  it('is judged from one received dossier per listed agency in the window, and null one dossier below', () => {
    const flow = (received: number) => new Map([['2026-10-20', { received }]]);
    const six = coverageOf(
      input({ agencies: AGENCIES, agencyDays: sentOn(TODAY, ['A1']), unitDays: flow(6) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(six.agencies.value).toBeCloseTo(1 / 6, 12);
    const five = coverageOf(
      input({ agencies: AGENCIES, agencyDays: sentOn(TODAY, ['A1']), unitDays: flow(5) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(five.agencies).toMatchObject({ value: null, numerator: 1, denominator: 6 });
    expect(coverageReasons(five, 30, GRACE)).toEqual([]);
  });

  it('is null, and fails nothing, when the registry lists no agency', () => {
    const none = coverageOf(input(), TODAY, RULE, GRACE);
    expect(none.agencies).toMatchObject({ value: null, numerator: 0, denominator: 0 });
    expect(coverageReasons(none, 30, GRACE)).toEqual([]);
  });
});

describe('coverage of procedures', () => {
  const levels = {
    P1: 'full',
    P2: 'partial',
    P3: 'full',
    P4: 'full',
    P5: 'partial',
    P6: 'none',
  } as const;
  const online = (entries: [string, string, number][]) => {
    const out = new Map<string, Map<string, number>>();
    for (const [code, month, count] of entries) out.set(code, new Map([[month, count]]));
    return out;
  };

  it('takes only the online procedures: 1 of 5 passes at 20%, none fails and names them', () => {
    const one = coverageOf(
      input({ levels, onlineByMonth: online([['P1', '2026-11', 2]]) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(one.procedures).toMatchObject({ value: 0.2, numerator: 1, denominator: 5 });
    expect(coverageReasons(one, 30, GRACE)).toEqual([]);
    const none = coverageOf(
      input({ levels, onlineByMonth: online([['P6', '2026-11', 9]]) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(none.procedures).toMatchObject({ value: 0, numerator: 0, denominator: 5 });
    expect(coverageReasons(none, 30, GRACE).map((r) => [r.code, r.en])).toEqual([
      [
        'coverage_procedures_low',
        'Only 0/5 online procedures (0.0%) had an online dossier in 30 days, below 20.0%; without dossiers: P1, P2, P3, P4, P5.',
      ],
    ]);
  });

  it('counts the months the window touches: October from 18 November, not September', () => {
    const october = coverageOf(
      input({ levels, onlineByMonth: online([['P1', '2026-10', 1]]) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(october.procedures.numerator).toBe(1);
    const september = coverageOf(
      input({ levels, onlineByMonth: online([['P1', '2026-09', 1]]) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(september.procedures.numerator).toBe(0);
  });

  it('is judged from one online dossier per online procedure in the window, and null one dossier below', () => {
    const flow = (receivedOnline: number) => new Map([[TODAY, { received: 50, receivedOnline }]]);
    const judged = coverageOf(input({ levels, unitDays: flow(5) }), TODAY, RULE, GRACE);
    expect(judged.procedures).toMatchObject({ value: 0, denominator: 5 });
    const thin = coverageOf(input({ levels, unitDays: flow(4) }), TODAY, RULE, GRACE);
    expect(thin.procedures).toMatchObject({ value: null, numerator: 0, denominator: 5 });
  });

  it('is null without a catalogue that states levels, or with no online procedure', () => {
    expect(coverageOf(input(), TODAY, RULE, GRACE).procedures.value).toBeNull();
    expect(coverageOf(input({ levels: { P6: 'none' } }), TODAY, RULE, GRACE).procedures.value).toBeNull();
  });
});

describe('coverage of closure', () => {
  it('measures the 30 due days that end four days before today, once a grace of three has passed', () => {
    expect(closureDays(TODAY, 30, 3)).toHaveLength(30);
    expect([closureDays(TODAY, 30, 3)[0], closureDays(TODAY, 30, 3).at(-1)]).toEqual(['2026-10-16', NOV(14)]);
  });

  it('passes at 80% and fails one dossier below', () => {
    const days = (inGrace: number) => new Map([[NOV(14), { closureDue: 5, closureInGrace: inGrace }]]);
    const four = coverageOf(input({ unitDays: days(4) }), TODAY, RULE, GRACE);
    expect(four.closure).toMatchObject({
      value: 0.8,
      numerator: 4,
      denominator: 5,
      from: '2026-10-16',
      to: NOV(14),
    });
    expect(coverageReasons(four, 30, GRACE)).toEqual([]);
    const three = coverageOf(input({ unitDays: days(3) }), TODAY, RULE, GRACE);
    expect(coverageReasons(three, 30, GRACE).map((r) => [r.code, r.vi])).toEqual([
      [
        'coverage_closure_low',
        'Chỉ 3/5 hồ sơ đến hạn từ 2026-10-16 đến 2026-11-14 (60.0%) có trạng thái kết thúc trong hạn cộng 3 ngày, dưới mức 80.0%.',
      ],
    ]);
  });

  it('leaves out dossiers due in the last three days, whose grace has not passed, and those due before the window', () => {
    const unitDays = new Map<string, CounterValues>([
      [NOV(15), { closureDue: 7 }],
      ['2026-10-15', { closureDue: 7 }],
    ]);
    const result = coverageOf(input({ unitDays }), TODAY, RULE, GRACE);
    expect(result.closure).toMatchObject({ value: null, numerator: 0, denominator: 0 });
    expect(coverageReasons(result, 30, GRACE)).toEqual([]);
  });
});

describe('the verdict with coverage', () => {
  const connected: ConnectionResult = {
    status: 'connected',
    reasons: [],
    criteria: { sender: null, applied: ['heartbeat', 'dossier_feed', 'catalog', 'reconciliation'] },
  };
  const low = coverageOf(
    input({ agencies: AGENCIES, agencyDays: sentOn(TODAY, ['A1']) }),
    TODAY,
    RULE,
    GRACE,
  );

  it('makes a connected unit below a threshold partial, and publishes the shares either way', () => {
    const result = withCoverage(connected, low, 30, GRACE);
    expect(result.status).toBe('partial');
    expect(result.reasons.map((r) => r.code)).toEqual(['coverage_agencies_low']);
    expect(result.criteria.applied).toContain('coverage');
    const fine = coverageOf(
      input({ agencies: AGENCIES, agencyDays: sentOn(TODAY, AGENCIES) }),
      TODAY,
      RULE,
      GRACE,
    );
    expect(withCoverage(connected, fine, 30, GRACE)).toMatchObject({ status: 'connected', coverage: fine });
  });

  it('keeps an interrupted unit interrupted, and does not judge a legacy sender or a unit never connected', () => {
    expect(withCoverage({ ...connected, status: 'interrupted' }, low, 30, GRACE).status).toBe('interrupted');
    const legacy = withCoverage(
      { ...connected, criteria: { sender: 'opencps', applied: [] } },
      low,
      30,
      GRACE,
    );
    expect([legacy.status, legacy.reasons, legacy.coverage]).toEqual(['connected', [], low]);
    expect(withCoverage({ ...connected, status: 'never_connected' }, low, 30, GRACE).status).toBe(
      'never_connected',
    );
  });
});

describe('the reads coverage adds', () => {
  const at = (iso: string) => Date.parse(iso);

  it('reads every day of the window for agencies, and the year before only when the window reaches it', () => {
    const cal = calendar(at('2026-11-18T10:00:00+07:00'), 420);
    const plan = withCoverageReads(planFor(cal, 7, 0, 'days'), cal, 30);
    expect(plan.agencyDays).toHaveLength(30);
    expect(plan.servicesYearBefore).toBeUndefined();
    const january = calendar(at('2027-01-29T10:00:00+07:00'), 420);
    expect(withCoverageReads(planFor(january, 7, 0, 'days'), january, 30).servicesYearBefore).toBe('2026');
    const lastOfWindow = calendar(at('2027-01-30T10:00:00+07:00'), 420);
    expect(
      withCoverageReads(planFor(lastOfWindow, 7, 0, 'days'), lastOfWindow, 30).servicesYearBefore,
    ).toBeUndefined();
  });
});
