import type { UnitRow } from '../../shared/schemas/snapshot.ts';
import { fold } from './data.ts';

/** One province as it stood before 1 July 2025, placed on a schematic grid roughly where it lies. */
export interface Tile {
  name: string;
  col: number;
  row: number;
  abbr: string;
}

/**
 * The 63 provinces and cities of 2024 on a 7 × 20 grid, north at the top. Provinces merged on
 * 1 July 2025 sit edge to edge, so a merged province is drawn as one block.
 */
export const TILES: readonly Tile[] = (
  [
    ['Lai Châu', 1, 0, 'LC'],
    ['Lào Cai', 2, 0, 'LCa'],
    ['Hà Giang', 3, 0, 'HG'],
    ['Bắc Kạn', 4, 0, 'BK'],
    ['Cao Bằng', 5, 0, 'CB'],
    ['Điện Biên', 0, 1, 'ĐB'],
    ['Sơn La', 1, 1, 'SL'],
    ['Yên Bái', 2, 1, 'YB'],
    ['Tuyên Quang', 3, 1, 'TQ'],
    ['Thái Nguyên', 4, 1, 'TN'],
    ['Lạng Sơn', 5, 1, 'LS'],
    ['Hòa Bình', 1, 2, 'HB'],
    ['Phú Thọ', 2, 2, 'PT'],
    ['Vĩnh Phúc', 3, 2, 'VP'],
    ['Bắc Giang', 4, 2, 'BG'],
    ['Quảng Ninh', 5, 2, 'QN'],
    ['Hà Nội', 3, 3, 'HN'],
    ['Bắc Ninh', 4, 3, 'BN'],
    ['Hải Dương', 5, 3, 'HD'],
    ['Hải Phòng', 6, 3, 'HP'],
    ['Hà Nam', 3, 4, 'HNa'],
    ['Hưng Yên', 4, 4, 'HY'],
    ['Thái Bình', 5, 4, 'TB'],
    ['Thanh Hóa', 2, 5, 'TH'],
    ['Ninh Bình', 3, 5, 'NB'],
    ['Nam Định', 4, 5, 'NĐ'],
    ['Nghệ An', 2, 6, 'NA'],
    ['Hà Tĩnh', 3, 6, 'HT'],
    ['Quảng Bình', 3, 7, 'QB'],
    ['Quảng Trị', 3, 8, 'QT'],
    ['Thừa Thiên Huế', 4, 8, 'Huế'],
    ['Đà Nẵng', 5, 8, 'ĐN'],
    ['Quảng Nam', 5, 9, 'QNa'],
    ['Kon Tum', 4, 10, 'KT'],
    ['Quảng Ngãi', 5, 10, 'QNg'],
    ['Gia Lai', 4, 11, 'GL'],
    ['Bình Định', 5, 11, 'BĐ'],
    ['Đắk Lắk', 4, 12, 'ĐL'],
    ['Phú Yên', 5, 12, 'PY'],
    ['Đắk Nông', 3, 13, 'ĐNo'],
    ['Lâm Đồng', 4, 13, 'LĐ'],
    ['Khánh Hòa', 5, 13, 'KH'],
    ['Tây Ninh', 1, 14, 'TNi'],
    ['Bình Phước', 2, 14, 'BP'],
    ['Đồng Nai', 3, 14, 'ĐNa'],
    ['Bình Thuận', 4, 14, 'BT'],
    ['Ninh Thuận', 5, 14, 'NT'],
    ['Long An', 1, 15, 'LA'],
    ['Bình Dương', 2, 15, 'BD'],
    ['Thành phố Hồ Chí Minh', 3, 15, 'HCM'],
    ['Bà Rịa - Vũng Tàu', 4, 15, 'BV'],
    ['An Giang', 0, 16, 'AG'],
    ['Đồng Tháp', 1, 16, 'ĐT'],
    ['Tiền Giang', 2, 16, 'TG'],
    ['Bến Tre', 3, 16, 'BTr'],
    ['Kiên Giang', 0, 17, 'KG'],
    ['Cần Thơ', 1, 17, 'CT'],
    ['Vĩnh Long', 2, 17, 'VL'],
    ['Trà Vinh', 3, 17, 'TV'],
    ['Hậu Giang', 1, 18, 'HGi'],
    ['Sóc Trăng', 2, 18, 'ST'],
    ['Cà Mau', 0, 19, 'CM'],
    ['Bạc Liêu', 1, 19, 'BL'],
  ] as const
).map(([name, col, row, abbr]) => ({ name, col, row, abbr }));

export const GRID = { cols: 7, rows: 20 } as const;

/** One shape on the map: a unit's own tile plus the tiles of the provinces merged into it by `day`. */
export interface Region {
  key: string;
  name: string;
  row: UnitRow | null;
  tiles: Tile[];
  /** The successor, for a predecessor drawn on its own because the merger had not happened by `day`. */
  successor: UnitRow | null;
}

const byName = new Map(TILES.map((tile) => [fold(tile.name), tile]));
const tileOf = (name: string): Tile | undefined => byName.get(fold(name));

/**
 * The shapes to draw on `day` (YYYY-MM-DD): a province unit absorbs the tiles of the units merged into it
 * whole by then, read from each row's `predecessors` (the registry's lineage). A split (`whole: false`)
 * moves only some agencies, so no shape changes. A tile that no unit claims is drawn alone, without figures.
 */
export function mapRegions(rows: readonly UnitRow[], day: string): Region[] {
  const claimed = new Set<Tile>();
  const regions: Region[] = [];
  const pending: { tile: Tile; successor: UnitRow }[] = [];
  for (const row of rows) {
    const own = tileOf(row.name);
    const merged: Tile[] = [];
    for (const p of row.predecessors ?? []) {
      const tile = tileOf(p.name);
      if (!tile || !p.whole) continue;
      if (p.retiredOn <= day) merged.push(tile);
      else pending.push({ tile, successor: row });
    }
    const tiles = [...(own ? [own] : []), ...merged].filter((tile) => !claimed.has(tile));
    if (tiles.length === 0) continue;
    for (const tile of tiles) claimed.add(tile);
    regions.push({ key: row.unitCode, name: row.name, row, tiles, successor: null });
  }
  for (const tile of TILES) {
    if (claimed.has(tile)) continue;
    const successor = pending.find((p) => p.tile === tile)?.successor ?? null;
    regions.push({ key: `tile:${tile.abbr}`, name: tile.name, row: null, tiles: [tile], successor });
  }
  return regions;
}

/** The outline of a set of grid cells: only the edges that no other cell of the set shares. */
export function outline(tiles: readonly Tile[], size: number): string {
  const has = new Set(tiles.map((t) => `${t.col},${t.row}`));
  const parts: string[] = [];
  for (const { col, row } of tiles) {
    const x = col * size;
    const y = row * size;
    if (!has.has(`${col},${row - 1}`)) parts.push(`M${x} ${y}h${size}`);
    if (!has.has(`${col + 1},${row}`)) parts.push(`M${x + size} ${y}v${size}`);
    if (!has.has(`${col},${row + 1}`)) parts.push(`M${x} ${y + size}h${size}`);
    if (!has.has(`${col - 1},${row}`)) parts.push(`M${x} ${y}v${size}`);
  }
  return parts.join('');
}
