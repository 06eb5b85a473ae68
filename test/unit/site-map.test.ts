import { describe, expect, it } from 'vitest';
import type { UnitRow } from '../../shared/schemas/snapshot.ts';
import { kindAverage } from '../../site/src/overview.ts';
import { mapRegions, outline, TILES } from '../../site/src/provinces.ts';

const row = (unitCode: string, name: string, extra: Partial<UnitRow> = {}): UnitRow =>
  ({ unitCode, name, kind: 'province', score: { scaled: null }, ...extra }) as unknown as UnitRow;
const merged = (retiredOn: string, whole = true) =>
  row('H50', 'Thành phố Hồ Chí Minh', {
    predecessors: [
      { unitCode: 'H47', name: 'Bình Dương', retiredOn, whole },
      { unitCode: 'H49', name: 'Bà Rịa - Vũng Tàu', retiredOn, whole },
    ],
  });

describe('the province tile map', () => {
  it('has the 63 provinces of 2024, each on its own cell', () => {
    expect(TILES).toHaveLength(63);
    expect(new Set(TILES.map((t) => `${t.col},${t.row}`)).size).toBe(63);
    expect(new Set(TILES.map((t) => t.abbr)).size).toBe(63);
  });

  it('draws every tile alone when no unit claims it', () => {
    const regions = mapRegions([], '2026-01-01');
    expect(regions).toHaveLength(63);
    expect(regions.every((r) => r.row === null && r.tiles.length === 1)).toBe(true);
  });

  it('merges a predecessor into its successor from the day it retired, not the day before', () => {
    const before = mapRegions([merged('2025-07-01')], '2025-06-30');
    expect(before).toHaveLength(63);
    expect(before.find((r) => r.name === 'Bình Dương')?.successor?.unitCode).toBe('H50');
    const on = mapRegions([merged('2025-07-01')], '2025-07-01');
    expect(on).toHaveLength(61);
    expect(on.find((r) => r.key === 'H50')?.tiles.map((t) => t.name)).toEqual([
      'Thành phố Hồ Chí Minh',
      'Bình Dương',
      'Bà Rịa - Vũng Tàu',
    ]);
  });

  it('keeps the shapes of a split: only some agencies moved', () => {
    expect(mapRegions([merged('2025-07-01', false)], '2026-01-01')).toHaveLength(63);
  });

  it('matches names with or without diacritics and ignores units that are not on the map', () => {
    const regions = mapRegions([row('H01', 'Ha Noi'), row('G01', 'Bộ Công an')], '2026-01-01');
    expect(regions).toHaveLength(63);
    expect(regions.find((r) => r.key === 'H01')?.tiles[0]?.name).toBe('Hà Nội');
  });

  it('outlines a merged block without the edge its tiles share', () => {
    const pair = [
      { name: 'a', col: 0, row: 0, abbr: 'a' },
      { name: 'b', col: 1, row: 0, abbr: 'b' },
    ];
    expect(outline(pair, 10).match(/M/g)).toHaveLength(6);
    expect(outline([pair[0] as (typeof pair)[0]], 10).match(/M/g)).toHaveLength(4);
  });
});

describe('the per-kind average index score', () => {
  it('averages the units that have a score and is null when none has', () => {
    const scored = (scaled: number | null) => row('X', 'x', { score: { scaled } as UnitRow['score'] });
    expect(kindAverage([scored(60), scored(63), scored(null)])).toBe(61.5);
    expect(kindAverage([scored(null)])).toBeNull();
    expect(kindAverage([])).toBeNull();
  });
});
