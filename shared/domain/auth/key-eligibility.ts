import type { Unit } from '../../schemas/registry.ts';
import type { StoredKey } from '../ports.ts';
import { existsOn } from '../registry/lifecycle.ts';

export type KeyEligibility =
  | { eligible: true; retired?: NonNullable<StoredKey['retired']> }
  | { eligible: false; reason: string };

/**
 * The one rule for who may hold an API key, used by every way a key is made (issue and rotate): a unit may
 * be given a key on a day it exists. A unit whose retirement is already scheduled still may, until that day,
 * but its key carries the retirement, so the retired-code rule applies to it exactly as to the unit's older
 * keys (which were marked when the retirement was recorded).
 */
export function keyEligibility(unit: Unit | undefined, day: string, unitCode: string): KeyEligibility {
  if (!unit) return { eligible: false, reason: `Unit ${unitCode} is not registered; import it first.` };
  if (!existsOn(unit, day)) {
    const since = unit.retiredOn ? ` since ${unit.retiredOn}` : '';
    const successors = unit.successors.map((successor) => successor.unitCode);
    return {
      eligible: false,
      reason:
        unit.createdOn !== undefined && day < unit.createdOn
          ? `Unit ${unitCode} exists only from ${unit.createdOn}; issue its keys from that day.`
          : `Unit ${unitCode} is retired${since}; issue keys to its successor${successors.length > 0 ? ` (${successors.join(', ')})` : ''}.`,
    };
  }
  if (unit.retiredOn === undefined) return { eligible: true };
  return {
    eligible: true,
    retired: { on: unit.retiredOn, successors: unit.successors.map((successor) => successor.unitCode) },
  };
}
