import { loadSettings } from '../../shared/config/settings.ts';
import { nationalDay } from '../../shared/domain/evaluation/figures.ts';
import { kindScore } from '../../shared/domain/evaluation/index-score.ts';
import {
  type Kpis,
  type LatestSnapshot,
  latestSnapshotSchema,
  type Period,
  periods,
  type TargetResult,
  type UnitRow,
  type UnitSnapshot,
  unitSnapshotSchema,
} from '../../shared/schemas/snapshot.ts';
import { prng } from '../../simulator/random.ts';
import { demoRegistry } from '../../simulator/registry.ts';

/** The provinces merged on 1 July 2025: each successor with the provinces it absorbed whole. */
export const MERGER_2025: Record<string, string[]> = {
  'Tuyên Quang': ['Hà Giang'],
  'Lào Cai': ['Yên Bái'],
  'Thái Nguyên': ['Bắc Kạn'],
  'Phú Thọ': ['Vĩnh Phúc', 'Hòa Bình'],
  'Bắc Ninh': ['Bắc Giang'],
  'Hưng Yên': ['Thái Bình'],
  'Hải Phòng': ['Hải Dương'],
  'Ninh Bình': ['Hà Nam', 'Nam Định'],
  'Quảng Trị': ['Quảng Bình'],
  'Đà Nẵng': ['Quảng Nam'],
  'Quảng Ngãi': ['Kon Tum'],
  'Gia Lai': ['Bình Định'],
  'Khánh Hòa': ['Ninh Thuận'],
  'Lâm Đồng': ['Đắk Nông', 'Bình Thuận'],
  'Đắk Lắk': ['Phú Yên'],
  'Thành phố Hồ Chí Minh': ['Bình Dương', 'Bà Rịa - Vũng Tàu'],
  'Đồng Nai': ['Bình Phước'],
  'Tây Ninh': ['Long An'],
  'Cần Thơ': ['Sóc Trăng', 'Hậu Giang'],
  'Vĩnh Long': ['Bến Tre', 'Trà Vinh'],
  'Đồng Tháp': ['Tiền Giang'],
  'Cà Mau': ['Bạc Liêu'],
  'An Giang': ['Kiên Giang'],
};

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

/** A national-default target judged on one figure, the same for every period. */
function attained(target: number, actual: number | null): TargetResult {
  const judged = { actual, met: actual === null ? null : actual >= target, withinRange: null };
  return {
    target,
    targetMax: null,
    source: 'national_default',
    actual,
    met: judged.met,
    periods: { monthToDate: judged, quarterToDate: judged, yearToDate: judged },
  };
}

/** Figures for one period from a few counts; every rate is the ratio of the counts beside it. */
function kpisFrom(random: () => number, scale: number): Kpis {
  const received = Math.floor(random() * 400 * scale);
  const online = Math.floor(received * random());
  const eligible = Math.floor(received * 0.6);
  const full = Math.floor(eligible * random());
  const resolved = Math.floor(received * 0.8);
  const onTime = Math.floor(resolved * (0.7 + 0.3 * random()));
  const fee = Math.floor(received * 0.3);
  const paid = Math.floor(fee * random());
  const digitized = Math.floor(resolved * random());
  return {
    dossiersReceived: received,
    dossiersReceivedOnline: online,
    dossiersReceivedPostal: 0,
    dossiersFromNationalPortal: Math.floor(online / 2),
    dossiersResultByPost: 0,
    onlineRate: ratio(online, received),
    fullOnlineEligible: eligible,
    fullOnlineDossiers: full,
    fullOnlineRate: ratio(full, eligible),
    dossiersResolved: resolved,
    dossiersResolvedOnline: Math.floor(resolved / 2),
    processedOnlineRate: ratio(Math.floor(resolved / 2), resolved),
    dossiersWithDueDate: resolved,
    dossiersWithoutDueDate: 0,
    dossiersNoDueDate: 0,
    dossiersOverdueOpen: 0,
    onTimeDenominator: resolved,
    dossiersOnTime: onTime,
    onTimeRate: ratio(onTime, resolved),
    dossiersWithFee: fee,
    onlinePayments: paid,
    onlinePaymentAmountVnd: paid * 50_000,
    onlinePaymentRate: ratio(paid, fee),
    dossiersDigitized: digitized,
    digitizedRate: ratio(digitized, resolved),
    ratings: 0,
    satisfiedRatings: 0,
    satisfactionRate: null,
    onlineServicesOffered: 40,
    onlineServicesWithDossiers: null,
    onlineServicesWithDossiersRate: null,
    proceduresOnlineOutsideCatalog: null,
    proceduresTotal: 60,
    proceduresOnline: 40,
    proceduresFullOnline: 20,
    proceduresOnlineRate: 40 / 60,
  };
}

const SCALE: Record<Period, number> = {
  today: 0.05,
  last7Days: 0.3,
  monthToDate: 1,
  quarterToDate: 2,
  yearToDate: 10,
};
const periodKpis = (random: () => number, empty = false): UnitRow['kpis'] =>
  Object.fromEntries(periods.map((p) => [p, kpisFrom(random, empty ? 0 : SCALE[p])])) as UnitRow['kpis'];

/** A country's figures a year earlier (80 units' worth), or none at all: every rate null. */
function yearAgoKpis(history: boolean): UnitRow['kpis'] {
  const random = prng(3);
  return Object.fromEntries(
    periods.map((p) => [p, kpisFrom(random, history ? (SCALE[p] + 1) * 80 : 0)]),
  ) as UnitRow['kpis'];
}

const STATUSES = [
  'connected',
  'connected',
  'connected',
  'partial',
  'interrupted',
  'never_connected',
] as const;
/** One share of each kind: passing, not judged (too little flow), and failing. */
const COVERAGE: NonNullable<UnitRow['connection']['coverage']> = {
  from: '2026-10-20',
  to: '2026-11-18',
  agencies: { value: 5 / 6, numerator: 5, denominator: 6, threshold: 0.5, missing: ['000.40.15.H01'] },
  procedures: { value: null, numerator: 3, denominator: 30, threshold: 0.2, missing: [] },
  closure: {
    value: 0.75,
    numerator: 3,
    denominator: 4,
    threshold: 0.8,
    from: '2026-10-16',
    to: '2026-11-14',
  },
};

const REASONS: Record<string, { code: string; message: { vi: string; en: string } }[]> = {
  connected: [],
  partial: [
    {
      code: 'heartbeat_missing:portal',
      message: {
        vi: 'Hệ thống portal chưa từng gửi tín hiệu kết nối.',
        en: 'System portal has never sent a heartbeat.',
      },
    },
    {
      code: 'catalog_missing',
      message: { vi: 'Chưa đồng bộ danh mục thủ tục.', en: 'The procedure catalogue has never been synced.' },
    },
  ],
  interrupted: [
    {
      code: 'connection_interrupted',
      message: {
        vi: 'Kết nối bị gián đoạn: mất tín hiệu từ mọi hệ thống.',
        en: 'Connection interrupted: heartbeats lost from every system.',
      },
    },
  ],
  never_connected: [
    {
      code: 'no_data_ever',
      message: {
        vi: 'Chưa kết nối: hệ thống chưa từng gửi dữ liệu.',
        en: 'Never connected: the system has never sent any data.',
      },
    },
  ],
};

function band(scaled: number | null): string | null {
  if (scaled === null) return null;
  return scaled >= 90
    ? 'excellent'
    : scaled >= 80
      ? 'good'
      : scaled >= 70
        ? 'fair'
        : scaled >= 50
          ? 'average'
          : 'weak';
}

export interface FixtureOptions {
  /** The evaluation's time (ISO); its Vietnam day decides whether the 2025 merger is drawn. */
  asOf?: string;
  /** Apply the 1 July 2025 merger: the absorbed provinces leave the registry and become predecessors. */
  merged?: boolean;
  /** Units the evaluation could not judge this time. */
  failedUnits?: string[];
  /**
   * The same periods a year earlier: `history` has figures for each, `none` has none (no dossiers, so null
   * rates), absent as in snapshots published before they were kept.
   */
  yearAgo?: 'history' | 'none';
  seed?: number;
}

export interface Fixture {
  latest: LatestSnapshot;
  unit(code: string): UnitSnapshot;
}

/**
 * A published snapshot of the 83-unit demo registry with varied statuses, figures and missing values,
 * checked against the published schema, so a browser test can drive every view without a stack.
 */
export function snapshotFixture(options: FixtureOptions = {}): Fixture {
  const random = prng(options.seed ?? 7);
  const asOf = options.asOf ?? '2026-11-23T03:00:00.000Z';
  const units = demoRegistry();
  const absorbed = new Map<string, string>();
  if (options.merged)
    for (const [successor, list] of Object.entries(MERGER_2025))
      for (const name of list) absorbed.set(name, successor);
  const byName = new Map(units.map((u) => [u.name, u]));
  const rows: UnitRow[] = units
    .filter((unit) => !absorbed.has(unit.name))
    .map((unit, i) => {
      const status = STATUSES[i % STATUSES.length] ?? 'connected';
      const empty = status === 'never_connected';
      const kpis = periodKpis(random, empty);
      const scaled = empty ? null : Math.round((30 + random() * 65) * 100) / 100;
      const predecessors = (options.merged ? (MERGER_2025[unit.name] ?? []) : []).map((name) => ({
        unitCode: byName.get(name)?.unitCode ?? 'H00',
        name,
        retiredOn: '2025-07-01',
        whole: true,
      }));
      const row: UnitRow = {
        unitCode: unit.unitCode,
        name: unit.name,
        kind: unit.kind,
        ...(predecessors.length > 0 ? { predecessors } : {}),
        connection: {
          status,
          reasons: REASONS[status] ?? [],
          since: asOf,
          lastHeartbeatAt: empty ? null : asOf,
          lastDossierEventAt: empty ? null : asOf,
          catalogSyncedAt: empty ? null : asOf,
          alertsHeld: null,
          ...(empty ? {} : { coverage: COVERAGE }),
        },
        kpis,
        targets: {
          onlineRate: attained(0.5, kpis.yearToDate.onlineRate),
        },
        score: {
          total: scaled === null ? null : (scaled * 82) / 100,
          measuredMax: 82,
          scaled,
          band: band(scaled),
          groups: {
            transparency: { score: null, max: 18, measuredMax: 0, measured: false },
            progress: { score: empty ? null : 12, max: 20, measuredMax: empty ? 0 : 20, measured: true },
            onlineService: { score: empty ? null : 15, max: 22, measuredMax: empty ? 0 : 22, measured: true },
            digitization: { score: empty ? null : 14, max: 22, measuredMax: empty ? 0 : 22, measured: true },
            satisfaction: { score: null, max: 18, measuredMax: 0, measured: true },
          },
        },
      };
      if (options.failedUnits?.includes(unit.unitCode))
        row.evaluation = { failed: true, reason: 'read timed out', stale: true };
      return row;
    });
  const national = {
    kpis: periodKpis(random),
    previous7Days: kpisFrom(random, SCALE.last7Days * 80),
    targets: {
      onlineRate: attained(0.5, 0.4),
      fullOnlineRate: attained(0.5, 0.3),
      onTimeRate: attained(0.95, 0.9),
    },
    score: rows[0]?.score ?? { total: null, measuredMax: 0, scaled: null, band: null, groups: {} },
  };
  const previous = {
    today: kpisFrom(random, SCALE.today * 80),
    last7Days: national.previous7Days,
    monthToDate: kpisFrom(random, SCALE.monthToDate * 80),
  };
  const day0 = Date.parse(asOf) - 89 * 86_400_000;
  const series = Array.from({ length: 90 }, (_, i) =>
    nationalDay(
      new Date(day0 + i * 86_400_000 + 7 * 3_600_000).toISOString().slice(0, 10),
      kpisFrom(random, 3),
    ),
  );
  const kinds = [...new Set(rows.map((r) => r.kind))];
  const connected = rows.filter((r) => r.connection.status === 'connected').length;
  const latest = latestSnapshotSchema.parse({
    schemaVersion: 1,
    generatedAt: asOf,
    asOf,
    timeZone: 'Asia/Ho_Chi_Minh',
    connection: {
      registered: rows.length,
      connected,
      notConnected: rows.length - connected,
      byStatus: Object.fromEntries(
        ['connected', 'partial', 'interrupted', 'never_connected'].map((s) => [
          s,
          rows.filter((r) => r.connection.status === s).length,
        ]),
      ),
    },
    national: {
      ...national,
      previous,
      ...(options.yearAgo ? { yearAgo: yearAgoKpis(options.yearAgo === 'history') } : {}),
      series,
    },
    byKind: Object.fromEntries(
      kinds.map((kind) => [
        kind,
        {
          units: rows.filter((r) => r.kind === kind).length,
          connected: rows.filter((r) => r.kind === kind && r.connection.status === 'connected').length,
          kpis: periodKpis(random),
          score: kindScore(
            rows.filter((r) => r.kind === kind),
            loadSettings({}).index,
          ),
        },
      ]),
    ),
    units: rows,
  });
  const failing = options.failedUnits ?? [];
  const withMarkers: LatestSnapshot = {
    ...latest,
    evaluation: { everyMinutes: 15, failedUnits: failing },
  };
  const unit = (code: string): UnitSnapshot => {
    const row = withMarkers.units.find((r) => r.unitCode === code);
    if (!row) throw new Error(`no unit ${code} in the fixture`);
    const registered = units.find((u) => u.unitCode === code);
    return unitSnapshotSchema.parse({
      schemaVersion: 1,
      generatedAt: asOf,
      unit: row,
      series: series.map((d) => ({ date: d.date, kpis: kpisFrom(random, 0.05) })),
      agencies: (registered?.agencies ?? []).map((a, i) => ({
        agencyCode: a.agencyCode,
        name: i === 0 ? null : a.name,
        level: a.level,
        kpis: periodKpis(random, i === 1),
        targets: { onlineRate: attained(0.5, null) },
      })),
      history: [
        { status: row.connection.status, since: asOf, reasons: row.connection.reasons.map((r) => r.code) },
      ],
      connection: {
        heartbeats: (registered?.systems ?? []).map((systemId, i) => ({
          systemId,
          registered: true,
          lastSeenAt: i === 0 ? new Date(Date.parse(asOf) - 120_000).toISOString() : null,
          lateAt: i === 0 ? new Date(Date.parse(asOf) + 1_680_000).toISOString() : null,
        })),
        lateAt:
          (registered?.systems?.length ?? 0) > 0
            ? new Date(Date.parse(asOf) + 1_680_000).toISOString()
            : null,
        reconciliation: ['received', 'receivedOnline', 'resolved', 'resolvedOnTime'].map((figure, i) => ({
          date: series.at(-2)?.date ?? '',
          figure,
          reported: 40 + i,
          counted: 40,
          withinTolerance: i < 3,
        })),
      },
    });
  };
  return { latest: withMarkers, unit };
}
