import { z } from 'zod';
import { successorSchema, type Unit } from '../../schemas/registry.ts';
import { mergeUnits, must, renameUnit, retireUnit, splitUnit } from './lifecycle.ts';

/** A reorganisation as data, such as the 63 provinces becoming 34 on 1 July 2025. */
export const reorganisationSchema = z.object({
  on: z.iso.date(),
  title: z.string().optional(),
  renames: z
    .array(z.object({ unitCode: z.string(), name: z.string().min(1), on: z.iso.date().optional() }))
    .default([]),
  merges: z.array(z.object({ into: z.string(), from: z.array(z.string()).min(1) })).default([]),
  splits: z.array(z.object({ from: z.string(), into: z.array(successorSchema).min(2) })).default([]),
  retire: z.array(z.string()).default([]),
});
export type Reorganisation = z.infer<typeof reorganisationSchema>;

export interface PlanStep {
  label: string;
  apply(units: readonly Unit[], at: number): Unit[];
}

/** One step per rename, merge, split and retirement; each returns the units it changes, or none if done. */
export function planSteps(plan: Reorganisation): PlanStep[] {
  const one = (units: readonly Unit[], code: string): Unit =>
    must(new Map(units.map((u) => [u.unitCode, u])), code);
  const changedOnly = (before: Unit, after: Unit): Unit[] => (after === before ? [] : [after]);
  return [
    ...plan.renames.map((rename) => ({
      label: `rename ${rename.unitCode} → ${rename.name}`,
      apply: (units: readonly Unit[], at: number) => {
        const unit = one(units, rename.unitCode);
        return changedOnly(unit, renameUnit(unit, rename.name, rename.on ?? plan.on, at));
      },
    })),
    ...plan.merges.map((merge) => ({
      label: `merge ${merge.from.join(', ')} into ${merge.into}`,
      apply: (units: readonly Unit[], at: number) => mergeUnits(units, merge.into, merge.from, plan.on, at),
    })),
    ...plan.splits.map((split) => ({
      label: `split ${split.from} into ${split.into.map((part) => part.unitCode).join(', ')}`,
      apply: (units: readonly Unit[], at: number) => splitUnit(units, split.from, split.into, plan.on, at),
    })),
    ...plan.retire.map((code) => ({
      label: `retire ${code}`,
      apply: (units: readonly Unit[], at: number) => {
        const unit = one(units, code);
        return changedOnly(unit, retireUnit(unit, plan.on, at));
      },
    })),
  ];
}
