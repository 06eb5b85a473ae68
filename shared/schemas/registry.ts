import { z } from 'zod';
import { senderProfileSchema } from './legacy-emc.ts';

const rate = z.number().min(0).max(1);
/** A share to reach (0.5), or a range such as Khánh Hòa's 45–50% (`{ "min": 0.45, "max": 0.5 }`). */
export const targetValueSchema = z.union([
  rate,
  z
    .object({ min: rate, max: rate })
    .refine((range) => range.min <= range.max, { message: 'min must not be above max' }),
]);
export type TargetValue = z.infer<typeof targetValueSchema>;
export const kpiTargetsSchema = z
  .object({
    onlineRate: targetValueSchema,
    fullOnlineRate: targetValueSchema,
    onTimeRate: targetValueSchema,
    onlineServicesWithDossiersRate: targetValueSchema,
    onlinePaymentRate: targetValueSchema,
    digitizedRate: targetValueSchema,
  })
  .partial();
export type KpiTargets = z.infer<typeof kpiTargetsSchema>;

export const unitKinds = ['ministry', 'province', 'sector', 'other'] as const;

const day = z.iso.date();

export const successorSchema = z.object({
  unitCode: z.string(),
  agencies: z.array(z.string().min(1)).optional(),
});
export type Successor = z.infer<typeof successorSchema>;

export const lifecycleActions = [
  'added',
  'renamed',
  'paused',
  'resumed',
  'retired',
  'merged',
  'absorbed',
  'split',
  'split-from',
] as const;

export const lifecycleEntrySchema = z.object({
  at: z.iso.datetime({ offset: true }),
  action: z.enum(lifecycleActions),
  /** The day the change takes effect. */
  on: day.optional(),
  detail: z.string(),
});
export type LifecycleEntry = z.infer<typeof lifecycleEntrySchema>;

/** A registered unit, as operators import it (`emc units import`). */
export const unitSchema = z.object({
  unitCode: z.string().regex(/^[A-Y]\d{2}$/, 'must be a short unit code such as H49 or G12'),
  name: z.string().min(1).max(200),
  kind: z.enum(unitKinds),
  systems: z.array(z.string().min(1).max(64)).default([]),
  /** The unit's default targets: for its own row, and for agencies no closer target covers. */
  targets: kpiTargetsSchema.optional(),
  /** The unit's targets per agency level (department, district, commune…), ahead of its default. */
  targetsByLevel: z.record(z.string(), kpiTargetsSchema).optional(),
  /** A paused unit is evaluated and published, but no alert is sent for it. */
  paused: z.boolean().default(false),
  maintenance: z
    .array(
      z.object({
        from: z.iso.datetime({ offset: true }),
        to: z.iso.datetime({ offset: true }),
        reason: z.string().optional(),
      }),
    )
    .default([]),
  status: z.enum(['active', 'retired']).default('active'),
  agencies: z
    .array(
      z.object({
        agencyCode: z.string().min(1),
        name: z.string().min(1),
        level: z.string().min(1),
        /** The agency's own targets, ahead of every other. */
        targets: kpiTargetsSchema.optional(),
      }),
    )
    .default([]),
  /** The first day (Vietnam time) the unit exists; a unit without one has always existed. */
  createdOn: day.optional(),
  /** The first day the unit no longer exists; its figures then belong to its successors. */
  retiredOn: day.optional(),
  /**
   * Who carries a retired unit's figures: one successor for a merge, several for a split. In a split,
   * each listed agency's figures go to the successor that names it, and the rest to the one naming none.
   */
  successors: z.array(successorSchema).default([]),
  /** Earlier names, each with the first day it no longer applied, so past evaluations keep past names. */
  formerNames: z.array(z.object({ name: z.string().min(1), until: day })).default([]),
  /**
   * The legacy TrackingMCDT sender the unit uses instead of the API, if any. Its keys read records by this
   * profile, and the unit is judged on the legacy criteria (docs/senders/).
   */
  sender: senderProfileSchema.optional(),
  /** What operators did to the unit, oldest first. */
  history: z.array(lifecycleEntrySchema).default([]),
});
export type Unit = z.infer<typeof unitSchema>;
export type UnitInput = z.input<typeof unitSchema>;
