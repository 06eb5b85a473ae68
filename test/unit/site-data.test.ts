import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UnitRow } from '../../shared/schemas/snapshot.ts';
import {
  change,
  fold,
  formatPercent,
  formatVnd,
  isStale,
  page,
  queryRows,
  toCsv,
  unitSnapshotUrl,
} from '../../site/src/data.ts';

function row(
  unitCode: string,
  name: string,
  kind: string,
  status: string,
  onlineRate: number | null,
): UnitRow {
  return {
    unitCode,
    name,
    kind,
    connection: {
      status,
      reasons: [],
      since: null,
      lastHeartbeatAt: null,
      lastDossierEventAt: null,
      catalogSyncedAt: null,
      alertsHeld: null,
    },
    kpis: { yearToDate: { onlineRate, fullOnlineRate: null, onTimeRate: null } },
    targets: {},
    score: { total: null, measuredMax: 0, scaled: null, band: null, groups: {} },
  } as unknown as UnitRow;
}

const rows = [
  row('H01', 'Hà Nội', 'province', 'connected', 0.5),
  row('H31', 'Đà Nẵng', 'province', 'partial', 0.2),
  row('G01', 'Bộ Công an', 'ministry', 'never_connected', null),
  {
    ...row('H50', 'Thành phố Hồ Chí Minh', 'province', 'connected', 0.7),
    predecessors: [{ unitCode: 'H47', name: 'Bình Dương', retiredOn: '2025-07-01', whole: true }],
  },
];
const base = { search: '', kind: '', status: '', sort: 'unitCode' as const, descending: false };

describe('dashboard data logic', () => {
  it('folds Vietnamese diacritics and đ, so "ha noi" finds "Hà Nội" and "da nang" finds "Đà Nẵng"', () => {
    expect(fold('Hà Nội')).toBe('ha noi');
    expect(queryRows(rows, { ...base, search: 'ha noi' }).map((r) => r.unitCode)).toEqual(['H01']);
    expect(queryRows(rows, { ...base, search: 'DA NANG' }).map((r) => r.unitCode)).toEqual(['H31']);
    expect(queryRows(rows, { ...base, search: 'h50' }).map((r) => r.unitCode)).toEqual(['H50']);
  });

  it('finds a merged unit under its successor, by the old name or code', () => {
    expect(queryRows(rows, { ...base, search: 'binh duong' }).map((r) => r.unitCode)).toEqual(['H50']);
    expect(queryRows(rows, { ...base, search: 'H47' }).map((r) => r.unitCode)).toEqual(['H50']);
  });

  it('never loses or invents a row when filtering by any search text', () => {
    // Each row's searchable text (code, name, predecessors' codes and names) folded by hand.
    const folded: Record<string, string> = {
      H01: 'h01 ha noi',
      H31: 'h31 da nang',
      G01: 'g01 bo cong an',
      H50: 'h50 thanh pho ho chi minh h47 binh duong',
    };
    const pieceOfARow = fc
      .constantFrom(...Object.values(folded))
      .chain((text) =>
        fc
          .tuple(fc.nat({ max: text.length - 1 }), fc.nat({ max: text.length - 1 }))
          .map(([a, b]) => text.slice(Math.min(a, b), Math.max(a, b) + 1)),
      );
    const search = fc
      .tuple(fc.oneof(pieceOfARow, fc.stringMatching(/^[a-z0-9 ]{0,6}$/)), fc.boolean())
      .map(([text, upper]) => (upper ? text.toUpperCase() : text));
    let found = 0;
    fc.assert(
      fc.property(search, (text) => {
        const needle = text.toLowerCase().trim();
        const expected = rows.map((r) => r.unitCode).filter((code) => folded[code]?.includes(needle));
        const result = queryRows(rows, { ...base, search: text }).map((r) => r.unitCode);
        found += result.length;
        expect(result).toEqual([...expected].sort());
      }),
      { numRuns: 500 },
    );
    expect(found).toBeGreaterThan(0);
    expect(queryRows(rows, { ...base, search: '' })).toHaveLength(rows.length);
  });

  it('filters by kind and by status, with "not connected" meaning every status but connected', () => {
    expect(queryRows(rows, { ...base, kind: 'ministry' }).map((r) => r.unitCode)).toEqual(['G01']);
    expect(queryRows(rows, { ...base, status: 'not_connected' }).map((r) => r.unitCode)).toEqual([
      'G01',
      'H31',
    ]);
  });

  it('sorts by a rate both ways and puts not-applicable rates last', () => {
    expect(queryRows(rows, { ...base, sort: 'onlineRate' }).map((r) => r.unitCode)).toEqual([
      'H31',
      'H01',
      'H50',
      'G01',
    ]);
    expect(queryRows(rows, { ...base, sort: 'onlineRate', descending: true }).map((r) => r.unitCode)).toEqual(
      ['H50', 'H01', 'H31', 'G01'],
    );
  });

  it('formats per locale: 38,5% in Vietnamese, 38.5% in English, and never shows 0% for not applicable', () => {
    expect(formatPercent(0.385, 'vi').replace(/\s/g, '')).toBe('38,5%');
    expect(formatPercent(0.385, 'en')).toBe('38.5%');
    expect(formatPercent(null, 'vi')).toBe('—');
    expect(formatPercent(null, 'en')).toBe('—');
    expect(formatVnd(4_990_000, 'vi')).toMatch(/4\.990\.000/);
  });

  it('reports changes in percentage points, or null when either side is not applicable', () => {
    expect(change(0.4, 0.35)).toBeCloseTo(5, 10);
    expect(change(null, 0.35)).toBeNull();
  });

  it('marks a snapshot stale after three evaluation intervals', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(isStale({ generatedAt: '2026-11-23T09:50:00Z' }, now)).toBe(false);
    expect(isStale({ generatedAt: '2026-11-23T09:00:00Z' }, now)).toBe(true);
  });

  it('writes CSV with quoting and a byte-order mark for spreadsheet programs', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, null],
        ],
      ),
    ).toBe('\uFEFFa,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
  });

  it('pages long lists and clamps the page index', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    expect(page(items, 0, 50)).toMatchObject({ pages: 200, index: 0 });
    expect(page(items, 999, 50).index).toBe(199);
    expect(page(items, 199, 50).items).toHaveLength(50);
  });
});

describe('unit files come from the generation latest.json names', () => {
  it('reads the unit file of that generation, never the current one', () => {
    expect(unitSnapshotUrl('/', { generation: 'snapshots/2026-11-23T03-00-00.000Z/' }, 'H48')).toBe(
      '/snapshots/2026-11-23T03-00-00.000Z/units/H48.json',
    );
  });

  it('reads an unchanged unit file from the earlier generation that holds it', () => {
    const latest = {
      generation: 'snapshots/2026-11-23T03-15-00.000Z/',
      unitGenerations: { H48: 'snapshots/2026-11-23T03-00-00.000Z/' },
    };
    expect(unitSnapshotUrl('/', latest, 'H48')).toBe('/snapshots/2026-11-23T03-00-00.000Z/units/H48.json');
    expect(unitSnapshotUrl('/', latest, 'H49')).toBe('/snapshots/2026-11-23T03-15-00.000Z/units/H49.json');
  });

  it('falls back to the current files for a snapshot that names no generation', () => {
    expect(unitSnapshotUrl('/', {}, 'H48')).toBe('/snapshots/units/H48.json');
  });

  it('ignores a generation that is not a snapshot folder', () => {
    expect(unitSnapshotUrl('/', { generation: '../alerts/' }, 'H48')).toBe('/snapshots/units/H48.json');
    expect(unitSnapshotUrl('/', { generation: 'snapshots/as-of/x/' }, 'H48')).toBe(
      '/snapshots/units/H48.json',
    );
  });
});
