import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import { criteriaFor } from '../../../../shared/domain/evaluation/compliance.ts';
import { connectionDetail } from '../../../../shared/domain/evaluation/connection-detail.ts';
import { calendar } from '../../../../shared/domain/evaluation/periods.ts';
import { unitSchema } from '../../../../shared/schemas/registry.ts';
import { emptyUnitData } from '../../../fakes/evaluation.ts';

const config = loadSettings({});
const criteria = criteriaFor(config, 'H48');
const AT = Date.parse('2026-11-23T10:00:00+07:00');
const cal = calendar(AT, config.time.utcOffsetMinutes);
const EVERY = 15 * 60_000;
/** 1,800 s by default: the longest of 900 s, 3 × 300 s and two 15-minute evaluations. */
const GRACE = 1_800_000;
const unit = unitSchema.parse({
  unitCode: 'H48',
  name: 'Đồng Nai',
  kind: 'province',
  systems: ['tthc', 'portal'],
});

const data = emptyUnitData;

const totals = (date: string, received: number) => ({
  date,
  reportedAt: AT - 3_600_000,
  received,
  receivedOnline: 0,
  resolved: 0,
  resolvedOnTime: 0,
});

describe('the connection detail of a unit page', () => {
  it('gives each system its last heartbeat and the time it turns late, and the unit the earliest of them', () => {
    const heartbeats = new Map([
      ['tthc', AT - 60_000],
      ['portal', AT - 600_000],
      ['test-bench', AT - 1_000],
    ]);
    const detail = connectionDetail(
      unit,
      { heartbeats, lastDossierEventAt: undefined, catalog: undefined },
      data(),
      criteria,
      cal,
      AT,
      EVERY,
    );
    expect(detail.heartbeats).toEqual([
      {
        systemId: 'portal',
        registered: true,
        lastSeenAt: new Date(AT - 600_000).toISOString(),
        lateAt: new Date(AT - 600_000 + GRACE).toISOString(),
      },
      {
        systemId: 'test-bench',
        registered: false,
        lastSeenAt: new Date(AT - 1_000).toISOString(),
        lateAt: new Date(AT - 1_000 + GRACE).toISOString(),
      },
      {
        systemId: 'tthc',
        registered: true,
        lastSeenAt: new Date(AT - 60_000).toISOString(),
        lateAt: new Date(AT - 60_000 + GRACE).toISOString(),
      },
    ]);
    // An unregistered system never makes the unit late: the earliest registered one does.
    expect(detail.lateAt).toBe(new Date(AT - 600_000 + GRACE).toISOString());
  });

  it('has no late time while no registered system was heard, and lists a silent one with none', () => {
    const detail = connectionDetail(
      unit,
      { heartbeats: new Map(), lastDossierEventAt: undefined, catalog: undefined },
      data(),
      criteria,
      cal,
      AT,
      EVERY,
    );
    expect(detail.lateAt).toBeNull();
    expect(detail.heartbeats.map((h) => [h.systemId, h.lastSeenAt, h.lateAt])).toEqual([
      ['portal', null, null],
      ['tthc', null, null],
    ]);
  });

  it('lists every reported figure of the lookback beside the counted one, the day before the lookback and today left out', () => {
    // Lookback 7 days: 2026-11-16 … 2026-11-22.
    const detail = connectionDetail(
      unit,
      { heartbeats: new Map(), lastDossierEventAt: undefined, catalog: undefined },
      data({
        dailyTotals: [
          totals('2026-11-15', 10),
          totals('2026-11-16', 103),
          totals('2026-11-22', 104),
          totals('2026-11-23', 1),
        ],
        unitDays: new Map([
          ['2026-11-16', { received: 100 }],
          ['2026-11-22', { received: 100 }],
        ]),
      }),
      criteria,
      cal,
      AT,
      EVERY,
    );
    const received = detail.reconciliation.filter((r) => r.figure === 'received');
    // 2 + 1% of the larger: 103 against 100 is within (3 ≤ 3.03), 104 is not (4 > 3.04).
    expect(received).toEqual([
      { date: '2026-11-16', figure: 'received', reported: 103, counted: 100, withinTolerance: true },
      { date: '2026-11-22', figure: 'received', reported: 104, counted: 100, withinTolerance: false },
    ]);
    expect(new Set(detail.reconciliation.map((r) => r.figure))).toEqual(
      new Set(['received', 'receivedOnline', 'resolved', 'resolvedOnTime']),
    );
  });
});
