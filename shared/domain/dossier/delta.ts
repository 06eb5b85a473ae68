import { addInto, type CounterValues, isZero } from './counters.ts';
import type { Contributions } from './state.ts';

/**
 * Counter changes of one unit: per (day, agency) cell, and per (month, procedure) for online services.
 * Deltas add up, so one per transaction can later be folded into the counters in any grouping.
 */
export interface UnitDelta {
  cells: Map<string, CounterValues>;
  services: Map<string, number>;
}

export const cellKey = (day: string, agencyCode: string): string => `${day}|${agencyCode}`;
export const serviceKey = (month: string, procedureCode: string): string => `${month}|${procedureCode}`;

export function emptyDelta(): UnitDelta {
  return { cells: new Map(), services: new Map() };
}

export function addContributions(delta: UnitDelta, contributions: Contributions, sign: 1 | -1): void {
  for (const cell of contributions.cells) {
    const key = cellKey(cell.day, cell.agencyCode);
    const values = delta.cells.get(key) ?? {};
    addInto(values, cell.values, sign);
    delta.cells.set(key, values);
  }
  if (contributions.onlineService) {
    const key = serviceKey(contributions.onlineService.month, contributions.onlineService.procedureCode);
    delta.services.set(key, (delta.services.get(key) ?? 0) + sign);
  }
}

export function addDelta(target: UnitDelta, source: UnitDelta): void {
  for (const [key, values] of source.cells) {
    const current = target.cells.get(key) ?? {};
    addInto(current, values);
    target.cells.set(key, current);
  }
  for (const [key, count] of source.services)
    target.services.set(key, (target.services.get(key) ?? 0) + count);
}

/** Drops cells and services that cancelled out, so nothing is written for them. */
export function compact(delta: UnitDelta): UnitDelta {
  const out = emptyDelta();
  for (const [key, values] of delta.cells) if (!isZero(values)) out.cells.set(key, values);
  for (const [key, count] of delta.services) if (count !== 0) out.services.set(key, count);
  return out;
}

/** A compact, JSON-safe form for storage inside one DynamoDB item. */
export interface StoredDelta {
  c: [string, CounterValues][];
  s: [string, number][];
}

export function toStored(delta: UnitDelta): StoredDelta {
  const compacted = compact(delta);
  return { c: [...compacted.cells], s: [...compacted.services] };
}

export function fromStored(stored: StoredDelta): UnitDelta {
  return { cells: new Map(stored.c), services: new Map(stored.s) };
}
