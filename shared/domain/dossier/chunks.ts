import { addDelta, emptyDelta, type UnitDelta } from './delta.ts';
import { footprint } from './rollup.ts';

/**
 * Splits planned changes, in their order, into groups of at most `maxCount` whose summed delta stays within
 * `maxFootprint`, so each group commits, and its delta folds, in one transaction. An entry too large on its
 * own still gets a group of its own.
 */
export function chunkByFootprint<T extends { delta: UnitDelta }>(
  entries: readonly T[],
  maxCount: number,
  maxFootprint: number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let sum = emptyDelta();
  for (const entry of entries) {
    const trial = emptyDelta();
    addDelta(trial, sum);
    addDelta(trial, entry.delta);
    if (current.length > 0 && (current.length >= maxCount || footprint(trial) > maxFootprint)) {
      chunks.push(current);
      current = [];
      sum = emptyDelta();
      addDelta(sum, entry.delta);
    } else sum = trial;
    current.push(entry);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
