import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.ts';
import {
  type ConnectionInput,
  criteriaFor,
  evaluateConnection,
} from '../../shared/domain/evaluation/compliance.ts';
import { connectionRules } from '../../shared/domain/me/describe-unit.ts';
import { doctorReport } from '../../shared/domain/me/doctor.ts';
import type { Me } from '../../shared/schemas/me.ts';

const config = loadSettings({});
// Daily totals are optional by default; H09 is a unit the ministry asked for them.
config.compliance.unitOverrides.H09 = { reconciliation: { required: true } };
const AT = Date.parse('2026-11-23T03:30:00Z');
const minutes = (n: number) => AT - n * 60_000;

const healthy: ConnectionInput = {
  at: AT,
  systems: ['tthc', 'portal'],
  heartbeats: new Map([
    ['tthc', minutes(2)],
    ['portal', minutes(3)],
  ]),
  lastDossierEventAt: minutes(10),
  catalog: { syncedAt: minutes(60 * 24), procedures: 120 },
  reconciliation: [{ date: '2026-11-22', figures: { received: { reported: 10, counted: 10 } } }],
  previousStatus: 'connected',
};

/** One unit per failing reason, each otherwise healthy, and what a letter must tell it to do. */
const scenario: { unit: string; input: Partial<ConnectionInput>; code: string; vi: string; en: string }[] = [
  {
    unit: 'H01',
    input: {
      heartbeats: new Map(),
      lastDossierEventAt: undefined,
      catalog: undefined,
      previousStatus: undefined,
    },
    code: 'no_data_ever',
    vi: 'POST /v1/heartbeats',
    en: 'try it first with ?dryRun=true',
  },
  {
    unit: 'H02',
    input: { heartbeats: new Map([['tthc', minutes(2)]]) },
    code: 'heartbeat_missing:portal',
    vi: 'Hệ thống portal cần gửi tín hiệu kết nối mỗi 300 giây',
    en: 'System portal must send a heartbeat every 300 s',
  },
  {
    unit: 'H03',
    input: {
      heartbeats: new Map([
        ['tthc', minutes(2)],
        ['portal', minutes(31)],
      ]),
    },
    code: 'heartbeat_late:portal',
    vi: 'Hệ thống portal đã ngừng gửi tín hiệu',
    en: 'more than 1800 s without one',
  },
  {
    unit: 'H04',
    input: {
      heartbeats: new Map([
        ['tthc', minutes(60)],
        ['portal', minutes(60)],
      ]),
    },
    code: 'connection_interrupted',
    vi: 'Mọi hệ thống đều mất tín hiệu',
    en: 'Every system lost its heartbeat',
  },
  {
    unit: 'H05',
    input: { lastDossierEventAt: undefined },
    code: 'dossier_feed_missing',
    vi: 'POST /v1/dossier-events',
    en: 'the legacy TrackingMCDT URL',
  },
  {
    unit: 'H06',
    input: { lastDossierEventAt: minutes(49 * 60) },
    code: 'dossier_feed_silent',
    vi: 'hơn 48 giờ',
    en: 'over 48 h',
  },
  {
    unit: 'H07',
    input: { catalog: undefined },
    code: 'catalog_missing',
    vi: 'Đồng bộ toàn bộ danh mục thủ tục (PUT /v1/catalog)',
    en: 'Sync the whole procedure catalogue (PUT /v1/catalog)',
  },
  {
    unit: 'H08',
    input: { catalog: { syncedAt: minutes(31 * 24 * 60), procedures: 120 } },
    code: 'catalog_stale',
    vi: 'ít nhất mỗi 30 ngày',
    en: 'at least every 30 days',
  },
  {
    unit: 'H09',
    input: { reconciliation: [] },
    code: 'reconciliation_missing',
    vi: 'POST /v1/daily-totals) cho 7 ngày gần nhất, không tính hôm nay',
    en: 'for the last 7 days, today excluded',
  },
  {
    unit: 'H10',
    input: {
      reconciliation: [{ date: '2026-11-21', figures: { received: { reported: 100, counted: 90 } } }],
    },
    code: 'reconciliation_mismatch',
    vi: 'lệch quá 2 hồ sơ cộng 1.0%',
    en: 'by more than 2 dossier(s) plus 1.0%',
  },
  {
    unit: 'H11',
    input: { activeDays: ['2026-11-20', '2026-11-22'] },
    code: 'reconciliation_unreported',
    vi: 'cho mọi ngày có hồ sơ trong 7 ngày gần nhất',
    en: 'for every day with dossiers in the last 7 days',
  },
];

const noRefusals: Me['refusals'] = { from: '2026-11-17', to: '2026-11-23', total: 0, byReason: [] };

function report(unit: string, input: Partial<ConnectionInput>, refusals = noRefusals) {
  const result = evaluateConnection({ ...healthy, ...input }, criteriaFor(config, unit));
  const criteria = criteriaFor(config, unit);
  return doctorReport({
    unitCode: unit,
    name: `Tỉnh ${unit}`,
    verdict: {
      status: result.status,
      reasons: result.reasons.map((r) => ({ code: r.code, message: { vi: r.vi, en: r.en } })),
      since: null,
      evaluatedAt: new Date(AT).toISOString(),
    },
    refusals,
    rules: connectionRules(criteria, ['tthc', 'portal']),
  });
}

describe('emc doctor', () => {
  it('tells each unit of the scenario its own reason and fix, in Vietnamese and in English', () => {
    for (const { unit, input, code, vi, en } of scenario) {
      const doctor = report(unit, input);
      expect(
        doctor.findings.map((f) => f.code),
        unit,
      ).toContain(code);
      expect(doctor.summary.vi, unit).toContain(vi);
      expect(doctor.summary.en, unit).toContain(en);
      expect(doctor.summary.vi, unit).toContain(
        `Tỉnh ${unit} (${unit}) chưa kết nối đầy đủ, toàn diện, liên tục`,
      );
      expect(doctor.summary.en, unit).toContain(`Tỉnh ${unit} (${unit}) is not fully connected`);
      // Nobody is told to fix what is not broken.
      const found = doctor.findings.map((f) => f.code);
      const toldButNotFound = scenario
        .filter((s) => s.unit !== unit && s.code !== 'no_data_ever')
        .filter((other) => doctor.summary.en.includes(other.en) && !found.includes(other.code))
        .map((other) => other.code);
      expect(toldButNotFound, unit).toEqual([]);
    }
  });

  it('says a healthy unit is fully connected, and lists refusals with their counts when there are some', () => {
    expect(report('H11', {}).summary).toEqual({
      vi: `Tỉnh H11 (H11) kết nối đầy đủ, toàn diện, liên tục theo đánh giá lúc ${new Date(AT).toISOString()}.`,
      en: `Tỉnh H11 (H11) is fully connected as of the evaluation at ${new Date(AT).toISOString()}.`,
    });
    const refused = report(
      'H12',
      {},
      {
        ...noRefusals,
        total: 4,
        byReason: [
          { reason: 'missing-field', count: 3, examples: [] },
          { reason: 'invalid-value', count: 1, examples: [] },
        ],
      },
    );
    expect(refused.findings.map((f) => f.code)).toEqual(['refusals']);
    expect(refused.summary.en).toContain(
      '4 events or requests were refused (missing-field 3, invalid-value 1)',
    );
    expect(refused.summary.vi).toContain('4 sự kiện hoặc yêu cầu bị từ chối');
  });
});
