import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../../../shared/config/settings.ts';
import {
  type ConnectionInput,
  criteriaFor,
  evaluateConnection,
} from '../../../../shared/domain/evaluation/compliance.ts';
import {
  type ReportedDay,
  withinTolerance,
} from '../../../../shared/domain/evaluation/reconciliation-rule.ts';

const config = loadSettings({});
const criteria = criteriaFor(config, 'H48');

const AT = Date.parse('2026-11-15T05:00:00Z');
const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// The shipped defaults (shared/config/defaults.json), written out so a change there is a visible decision.
// A heartbeat's grace is the longest of 900 s, 3 × 300 s and two 15-minute evaluation intervals: 1,800 s.
const GRACE = 1800 * SECOND;
const SILENCE = 48 * HOUR;
const MAX_AGE = 30 * DAY;
const TOLERANCE = 0.01;
const FLOOR = 2;
const FEED = {
  silenceHours: 48,
  flowWindowDays: 14,
  minDossiers: 1,
  minShareOfHistory: 0.1,
  minPerOnlineProcedure: 0.02,
};
const RHYTHM = { lookbackDays: 28, minActiveDays: 5, multiplier: 2, minSilentWorkingDays: 3 };
const COVERAGE = {
  windowDays: 30,
  minDossiersPerItem: 1,
  agencies: { minShare: 0.5 },
  procedures: { minShare: 0.2 },
  closure: { minShare: 0.8 },
};

/** A day reported with `reported` received dossiers where `counted` were counted. */
const day = (date: string, reported = 10, counted = reported): ReportedDay => ({
  date,
  figures: { received: { reported, counted } },
});
/** What a unit on the API is judged on (docs/snapshots.md, `connection.criteria`). */
const API_CRITERIA = {
  sender: null,
  applied: ['heartbeat', 'dossier_feed', 'catalog', 'reconciliation'],
};

/** A unit that meets every criterion; each test breaks one thing. */
function healthy(overrides: Partial<ConnectionInput> = {}): ConnectionInput {
  return {
    at: AT,
    systems: ['tthc'],
    heartbeats: new Map([['tthc', AT - 60 * SECOND]]),
    lastDossierEventAt: AT - HOUR,
    catalog: { syncedAt: AT - DAY, procedures: 120 },
    reconciliation: [day('2026-11-14')],
    previousStatus: undefined,
    ...overrides,
  };
}

const codes = (input: ConnectionInput): { status: string; reasons: string[] } => {
  const result = evaluateConnection(input, criteria);
  return { status: result.status, reasons: result.reasons.map((r) => r.code) };
};

describe('the shipped compliance criteria', () => {
  it('are the documented defaults, so the boundaries below are the real ones', () => {
    expect(criteria).toEqual({
      heartbeat: { expectedEverySeconds: 300, graceSeconds: 900, missedHeartbeats: 3 },
      dossierFeed: FEED,
      catalog: { maxAgeDays: 30 },
      stability: { confirmations: 2 },
      reconciliation: { required: false, tolerance: 0.01, absoluteTolerance: 2, lookbackDays: 7 },
      feedRhythm: RHYTHM,
      coverage: COVERAGE,
      legacy: {
        feedRhythm: { lookbackDays: 28, multiplier: 3, minSilenceHours: 48, maxSilenceHours: 336 },
        reconciliation: 'optional',
      },
    });
  });

  it("overlay one unit's overrides on the defaults, field by field, and leave other units alone", () => {
    const custom: Settings = {
      ...config,
      compliance: {
        ...config.compliance,
        unitOverrides: {
          G12: {
            heartbeat: { graceSeconds: 3600 },
            dossierFeed: { silenceHours: 96 },
            catalog: { maxAgeDays: 90 },
            reconciliation: { tolerance: 0.05 },
            coverage: { closure: { minShare: 0.6 } },
            legacy: { feedRhythm: { maxSilenceHours: 504 }, reconciliation: 'required' },
          },
        },
      },
    };
    expect(criteriaFor(custom, 'G12')).toEqual({
      heartbeat: { expectedEverySeconds: 300, graceSeconds: 3600, missedHeartbeats: 3 },
      dossierFeed: { ...FEED, silenceHours: 96 },
      catalog: { maxAgeDays: 90 },
      stability: { confirmations: 2 },
      reconciliation: { required: false, tolerance: 0.05, absoluteTolerance: 2, lookbackDays: 7 },
      feedRhythm: RHYTHM,
      coverage: { ...COVERAGE, closure: { minShare: 0.6 } },
      legacy: {
        feedRhythm: { lookbackDays: 28, multiplier: 3, minSilenceHours: 48, maxSilenceHours: 504 },
        reconciliation: 'required',
      },
    });
    expect(criteriaFor(custom, 'H48')).toEqual(criteria);
  });
});

describe('evaluateConnection', () => {
  it('calls a unit that meets every criterion connected, with no reasons', () => {
    expect(evaluateConnection(healthy(), criteria)).toEqual({
      status: 'connected',
      reasons: [],
      criteria: API_CRITERIA,
    });
  });

  describe('never connected', () => {
    it('is a unit from which nothing has ever arrived, with one reason in both languages', () => {
      const result = evaluateConnection(
        healthy({ heartbeats: new Map(), lastDossierEventAt: undefined, catalog: undefined }),
        criteria,
      );
      expect(result).toEqual({
        status: 'never_connected',
        reasons: [
          {
            code: 'no_data_ever',
            vi: 'Chưa kết nối: hệ thống chưa từng gửi dữ liệu.',
            en: 'Not connected: no data has ever arrived.',
          },
        ],
        criteria: API_CRITERIA,
      });
    });

    it('is not a unit that sent only a heartbeat, only dossiers or only a catalogue', () => {
      const nothing = { heartbeats: new Map(), lastDossierEventAt: undefined, catalog: undefined };
      expect(codes(healthy({ ...nothing, heartbeats: new Map([['tthc', AT]]) })).status).toBe('partial');
      expect(codes(healthy({ ...nothing, lastDossierEventAt: AT })).status).toBe('partial');
      expect(codes(healthy({ ...nothing, catalog: { syncedAt: AT, procedures: 1 } })).status).toBe('partial');
    });
  });

  describe('the heartbeat grace period (900 s)', () => {
    it('accepts a heartbeat exactly the grace period old', () => {
      expect(codes(healthy({ heartbeats: new Map([['tthc', AT - GRACE]]) }))).toEqual({
        status: 'connected',
        reasons: [],
      });
    });

    it('calls a heartbeat one millisecond older than the grace period late', () => {
      expect(codes(healthy({ heartbeats: new Map([['tthc', AT - GRACE - 1]]) }))).toEqual({
        status: 'partial',
        reasons: ['heartbeat_late:tthc'],
      });
    });

    it('says how many hours the heartbeat has been missing, in both languages', () => {
      const result = evaluateConnection(
        healthy({ heartbeats: new Map([['tthc', AT - 2 * HOUR]]) }),
        criteria,
      );
      expect(result.reasons).toEqual([
        {
          code: 'heartbeat_late:tthc',
          vi: 'Hệ thống tthc mất tín hiệu kết nối 2.0 giờ.',
          en: 'System tthc has not sent a heartbeat for 2.0 hours.',
        },
      ]);
    });

    it('names each registered system that never sent a heartbeat', () => {
      const result = evaluateConnection(healthy({ systems: ['tthc', 'portal'] }), criteria);
      expect(result).toEqual({
        status: 'partial',
        reasons: [
          {
            code: 'heartbeat_missing:portal',
            vi: 'Hệ thống portal chưa từng gửi tín hiệu kết nối.',
            en: 'System portal has never sent a heartbeat.',
          },
        ],
        criteria: API_CRITERIA,
      });
    });

    it('asks for a heartbeat when no system is registered and none ever came', () => {
      const result = evaluateConnection(healthy({ systems: [], heartbeats: new Map() }), criteria);
      expect(result).toEqual({
        status: 'partial',
        reasons: [
          {
            code: 'heartbeat_missing',
            vi: 'Chưa có hệ thống nào gửi tín hiệu kết nối.',
            en: 'No system has sent a heartbeat.',
          },
        ],
        criteria: API_CRITERIA,
      });
    });

    it('is satisfied by any heartbeat when no system is registered', () => {
      expect(codes(healthy({ systems: [], heartbeats: new Map([['tthc', AT]]) }))).toEqual({
        status: 'connected',
        reasons: [],
      });
    });

    it('reads the grace period from the criteria it is given', () => {
      const wide = { ...criteria, heartbeat: { ...criteria.heartbeat, graceSeconds: 3600 } };
      const input = healthy({ heartbeats: new Map([['tthc', AT - HOUR]]) });
      expect(evaluateConnection(input, wide).status).toBe('connected');
      expect(
        evaluateConnection({ ...input, heartbeats: new Map([['tthc', AT - HOUR - 1]]) }, wide).status,
      ).toBe('partial');
    });
  });

  describe('the dossier feed silence window (48 h)', () => {
    it('accepts a last dossier event exactly 48 hours old', () => {
      expect(codes(healthy({ lastDossierEventAt: AT - SILENCE }))).toEqual({
        status: 'connected',
        reasons: [],
      });
    });

    it('calls the feed silent one millisecond later, saying for how many hours', () => {
      const result = evaluateConnection(healthy({ lastDossierEventAt: AT - SILENCE - 1 }), criteria);
      expect(result).toEqual({
        status: 'partial',
        reasons: [
          {
            code: 'dossier_feed_silent',
            vi: 'Không có dữ liệu hồ sơ trong 48.0 giờ.',
            en: 'No dossier data for 48.0 hours.',
          },
        ],
        criteria: API_CRITERIA,
      });
    });

    it('asks for dossier data when none ever came', () => {
      expect(evaluateConnection(healthy({ lastDossierEventAt: undefined }), criteria).reasons).toEqual([
        { code: 'dossier_feed_missing', vi: 'Chưa gửi dữ liệu hồ sơ.', en: 'No dossier data has arrived.' },
      ]);
    });
  });

  describe('the catalogue (30 days)', () => {
    it('accepts a catalogue synced exactly 30 days ago', () => {
      expect(codes(healthy({ catalog: { syncedAt: AT - MAX_AGE, procedures: 120 } }))).toEqual({
        status: 'connected',
        reasons: [],
      });
    });

    it('counts its age in days: 31 hours old is fresh', () => {
      expect(codes(healthy({ catalog: { syncedAt: AT - 31 * HOUR, procedures: 120 } })).status).toBe(
        'connected',
      );
    });

    it('calls a catalogue one millisecond past 30 days stale', () => {
      const result = evaluateConnection(
        healthy({ catalog: { syncedAt: AT - MAX_AGE - 1, procedures: 120 } }),
        criteria,
      );
      expect(result.reasons).toEqual([
        {
          code: 'catalog_stale',
          vi: 'Danh mục thủ tục chưa đồng bộ quá 30 ngày.',
          en: 'The procedure catalogue is older than 30 days.',
        },
      ]);
    });

    it('calls an empty catalogue empty, and one procedure is enough', () => {
      expect(
        evaluateConnection(healthy({ catalog: { syncedAt: AT, procedures: 0 } }), criteria).reasons,
      ).toEqual([
        { code: 'catalog_empty', vi: 'Danh mục thủ tục rỗng.', en: 'The procedure catalogue is empty.' },
      ]);
      expect(codes(healthy({ catalog: { syncedAt: AT, procedures: 1 } })).status).toBe('connected');
    });

    it('asks for a catalogue that was never synced', () => {
      expect(evaluateConnection(healthy({ catalog: undefined }), criteria).reasons).toEqual([
        {
          code: 'catalog_missing',
          vi: 'Chưa đồng bộ danh mục thủ tục.',
          en: 'The procedure catalogue was never synced.',
        },
      ]);
    });
  });

  describe('reconciliation (2 dossiers plus 1%, optional by default)', () => {
    it('accepts a unit that never posted totals: the contract says units may', () => {
      expect(codes(healthy({ reconciliation: [] }))).toEqual({ status: 'connected', reasons: [] });
      // Nor are unreported days listed while no totals were posted at all.
      const quiet = healthy({ reconciliation: [], activeDays: ['2026-11-13', '2026-11-14'] });
      expect(codes(quiet)).toEqual({ status: 'connected', reasons: [] });
    });

    it('asks for daily totals where they are required, globally or for one unit', () => {
      const required = criteriaFor(
        {
          ...config,
          compliance: {
            ...config.compliance,
            reconciliation: { ...config.compliance.reconciliation, required: true },
          },
        },
        'H48',
      );
      expect(evaluateConnection(healthy({ reconciliation: [] }), required).reasons).toEqual([
        {
          code: 'reconciliation_missing',
          vi: 'Chưa gửi số liệu đối soát.',
          en: 'No daily totals were sent for reconciliation.',
        },
      ]);
      const one = criteriaFor(
        {
          ...config,
          compliance: {
            ...config.compliance,
            unitOverrides: { G12: { reconciliation: { required: true } } },
          },
        },
        'G12',
      );
      expect(evaluateConnection(healthy({ reconciliation: [] }), one).status).toBe('partial');
      expect(evaluateConnection(healthy({ reconciliation: [day('2026-11-14')] }), one).status).toBe(
        'connected',
      );
    });

    it('forgives a small unit one or two dossiers: 40 may be off by 2.4, not by 3', () => {
      expect(codes(healthy({ reconciliation: [day('2026-11-14', 40, 38)] })).status).toBe('connected');
      expect(codes(healthy({ reconciliation: [day('2026-11-14', 38, 40)] })).status).toBe('connected');
      expect(codes(healthy({ reconciliation: [day('2026-11-14', 40, 37)] }))).toEqual({
        status: 'partial',
        reasons: ['reconciliation_mismatch'],
      });
      // No dossiers counted, 2 reported: within the floor; 3 is not.
      expect(codes(healthy({ reconciliation: [day('2026-11-14', 2, 0)] })).status).toBe('connected');
      expect(codes(healthy({ reconciliation: [day('2026-11-14', 3, 0)] })).status).toBe('partial');
    });

    it('lets a large unit hide no hundreds: 10,000 may be off by 102, not by 103', () => {
      expect(codes(healthy({ reconciliation: [day('2026-11-14', 10_000, 9_898)] })).status).toBe('connected');
      expect(codes(healthy({ reconciliation: [day('2026-11-14', 10_000, 9_897)] })).status).toBe('partial');
    });

    it('calls a day past the tolerance a mismatch, naming only the days that are off', () => {
      const result = evaluateConnection(
        healthy({
          reconciliation: [
            day('2026-11-12', 100, 96),
            day('2026-11-13', 100, 97),
            day('2026-11-14', 100, 50),
          ],
        }),
        criteria,
      );
      expect(result).toEqual({
        status: 'partial',
        reasons: [
          {
            code: 'reconciliation_mismatch',
            vi: 'Số liệu đối soát lệch quá 2 hồ sơ cộng 1.0% ở 2 ngày (2026-11-12, 2026-11-14): 2026-11-12 received báo cáo 100, đã tính 96; 2026-11-14 received báo cáo 100, đã tính 50.',
            en: 'Reported totals differ from counted figures by more than 2 dossier(s) plus 1.0% on 2 day(s) (2026-11-12, 2026-11-14): 2026-11-12 received reported 100, counted 96; 2026-11-14 received reported 100, counted 50.',
          },
        ],
        criteria: API_CRITERIA,
      });
    });

    it('names each figure beyond the tolerance with both values, and not one just within it', () => {
      const result = evaluateConnection(
        healthy({
          reconciliation: [
            {
              date: '2026-11-13',
              figures: { received: { reported: 100, counted: 97 }, resolved: { reported: 100, counted: 96 } },
            },
          ],
        }),
        criteria,
      );
      expect(result.reasons.map((r) => r.en)).toEqual([
        'Reported totals differ from counted figures by more than 2 dossier(s) plus 1.0% on 1 day(s) (2026-11-13): 2026-11-13 resolved reported 100, counted 96.',
      ]);
    });

    it('lists the days with dossiers that a unit posting totals left out: it does not pick its days', () => {
      const result = evaluateConnection(
        healthy({
          reconciliation: [day('2026-11-14'), day('2026-11-10')],
          activeDays: ['2026-11-10', '2026-11-12', '2026-11-13', '2026-11-14'],
        }),
        criteria,
      );
      expect(result.reasons).toEqual([
        {
          code: 'reconciliation_unreported',
          vi: 'Chưa gửi số liệu đối soát cho 2 ngày có hồ sơ (2026-11-12, 2026-11-13).',
          en: 'No daily totals for 2 day(s) with dossiers (2026-11-12, 2026-11-13).',
        },
      ]);
      const all = healthy({
        reconciliation: ['2026-11-10', '2026-11-12', '2026-11-13', '2026-11-14'].map((d) => day(d)),
        activeDays: ['2026-11-10', '2026-11-12', '2026-11-13', '2026-11-14'],
      });
      expect(codes(all)).toEqual({ status: 'connected', reasons: [] });
    });
  });

  it('lists every failing criterion, in a fixed order', () => {
    expect(
      codes(
        healthy({
          systems: ['tthc', 'portal'],
          heartbeats: new Map([['tthc', AT - GRACE - 1]]),
          lastDossierEventAt: undefined,
          catalog: { syncedAt: AT, procedures: 0 },
          reconciliation: [day('2026-11-14', 100, 50)],
          activeDays: ['2026-11-13', '2026-11-14'],
        }),
      ),
    ).toEqual({
      status: 'partial',
      reasons: [
        'heartbeat_late:tthc',
        'heartbeat_missing:portal',
        'dossier_feed_missing',
        'catalog_empty',
        'reconciliation_mismatch',
        'reconciliation_unreported',
      ],
    });
  });

  describe('interrupted', () => {
    const lost = { heartbeats: new Map([['tthc', AT - GRACE - 1]]) };
    const interruption = {
      code: 'connection_interrupted',
      vi: 'Kết nối bị gián đoạn: mất tín hiệu từ mọi hệ thống.',
      en: 'Connection interrupted: heartbeats lost from every system.',
    };

    it('is a connected unit that lost the heartbeats of every system, the interruption named first', () => {
      const result = evaluateConnection(healthy({ ...lost, previousStatus: 'connected' }), criteria);
      expect(result.status).toBe('interrupted');
      expect(result.reasons[0]).toEqual(interruption);
      expect(result.reasons.map((r) => r.code)).toEqual(['connection_interrupted', 'heartbeat_late:tthc']);
    });

    it('persists at the next evaluation while the heartbeats stay lost', () => {
      expect(codes(healthy({ ...lost, previousStatus: 'interrupted' }))).toEqual({
        status: 'interrupted',
        reasons: ['connection_interrupted', 'heartbeat_late:tthc'],
      });
    });

    it('is only partial for a unit that was not connected before', () => {
      for (const previousStatus of [undefined, 'partial', 'never_connected'] as const) {
        expect(codes(healthy({ ...lost, previousStatus }))).toEqual({
          status: 'partial',
          reasons: ['heartbeat_late:tthc'],
        });
      }
    });

    it('is only partial while one system still sends heartbeats', () => {
      const input = healthy({
        systems: ['tthc', 'portal'],
        heartbeats: new Map([
          ['tthc', AT - GRACE - 1],
          ['portal', AT - GRACE],
        ]),
        previousStatus: 'connected',
      });
      expect(codes(input)).toEqual({ status: 'partial', reasons: ['heartbeat_late:tthc'] });
    });

    it('is not a connected unit whose other criteria fail while its heartbeats arrive', () => {
      expect(codes(healthy({ lastDossierEventAt: undefined, previousStatus: 'connected' }))).toEqual({
        status: 'partial',
        reasons: ['dossier_feed_missing'],
      });
    });

    it('is not a connected unit that never had any heartbeat, only other data', () => {
      expect(
        codes(healthy({ heartbeats: new Map(), lastDossierEventAt: undefined, previousStatus: 'connected' })),
      ).toEqual({ status: 'partial', reasons: ['heartbeat_missing:tthc', 'dossier_feed_missing'] });
    });

    it('is not a unit without registered systems whose heartbeats still arrive', () => {
      const fresh = {
        systems: [],
        heartbeats: new Map([['tthc', AT - GRACE]]),
        previousStatus: 'connected' as const,
      };
      expect(codes(healthy({ ...fresh, lastDossierEventAt: undefined }))).toEqual({
        status: 'partial',
        reasons: ['dossier_feed_missing'],
      });
      const stale = { ...fresh, heartbeats: new Map([['tthc', AT - GRACE - 1]]) };
      expect(codes(healthy({ ...stale, lastDossierEventAt: undefined }))).toEqual({
        status: 'interrupted',
        reasons: ['connection_interrupted', 'dossier_feed_missing'],
      });
    });

    it("counts only registered systems' heartbeats as heard once any system is registered", () => {
      const input = healthy({
        heartbeats: new Map([
          ['tthc', AT - GRACE - 1],
          ['unregistered', AT],
        ]),
        previousStatus: 'connected',
      });
      expect(codes(input)).toEqual({
        status: 'interrupted',
        reasons: ['connection_interrupted', 'heartbeat_late:tthc'],
      });
    });

    it('ends when the heartbeats come back within the grace period', () => {
      expect(
        codes(healthy({ heartbeats: new Map([['tthc', AT - GRACE]]), previousStatus: 'interrupted' })),
      ).toEqual({ status: 'connected', reasons: [] });
    });
  });
});

describe('withinTolerance: |reported − counted| ≤ floor + relative × max(reported, counted)', () => {
  const rule = { required: false, tolerance: TOLERANCE, absoluteTolerance: FLOOR };
  it('takes the larger of the two figures, whichever side it is on', () => {
    // 200 and 196: 2 + 2 = 4 allowed; 200 and 195: 5 is one too many.
    expect(withinTolerance(200, 196, rule)).toBe(true);
    expect(withinTolerance(196, 200, rule)).toBe(true);
    expect(withinTolerance(200, 195, rule)).toBe(false);
    expect(withinTolerance(195, 200, rule)).toBe(false);
  });

  it('is exact at the floor with nothing counted', () => {
    expect(withinTolerance(0, 0, rule)).toBe(true);
    expect(withinTolerance(0, 2, rule)).toBe(true);
    expect(withinTolerance(0, 3, rule)).toBe(false);
    expect(withinTolerance(0, 1, { ...rule, absoluteTolerance: 0 })).toBe(false);
  });
});

describe('a feed needs real flow (dossier_feed_thin)', () => {
  const flow = (recent: number, historicalMean = 0) => ({ recent, historicalMean });

  it('needs at least one dossier received in 14 days', () => {
    expect(codes(healthy({ flow: flow(1) }))).toEqual({ status: 'connected', reasons: [] });
    expect(codes(healthy({ flow: flow(0) }))).toEqual({ status: 'partial', reasons: ['dossier_feed_thin'] });
  });

  it("needs a tenth of the unit's own usual flow: 100 a fortnight needs 10, not 9", () => {
    expect(codes(healthy({ flow: flow(10, 100) })).status).toBe('connected');
    expect(evaluateConnection(healthy({ flow: flow(9, 100) }), criteria).reasons).toEqual([
      {
        code: 'dossier_feed_thin',
        vi: 'Chỉ tiếp nhận 9 hồ sơ trong 14 ngày, dưới mức tối thiểu 10 theo danh mục và lịch sử của đơn vị.',
        en: "Only 9 dossier(s) received in 14 days, below the minimum of 10 for the unit's catalogue and history.",
      },
    ]);
  });

  it('needs 0.02 dossiers per online procedure: 400 online procedures need 8, not 7', () => {
    const catalog = { syncedAt: AT - DAY, procedures: 500, online: 400 };
    expect(codes(healthy({ catalog, flow: flow(8) })).status).toBe('connected');
    expect(codes(healthy({ catalog, flow: flow(7) })).reasons).toEqual(['dossier_feed_thin']);
  });
});
