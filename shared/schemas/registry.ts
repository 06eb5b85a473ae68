import { z } from 'zod';

const rate = z.number().min(0).max(1);
export const kpiTargetsSchema = z
  .object({
    onlineRate: rate,
    fullOnlineRate: rate,
    onTimeRate: rate,
    onlineServicesWithDossiersRate: rate,
    onlinePaymentRate: rate,
    digitizedRate: rate,
  })
  .partial();
export type KpiTargets = z.infer<typeof kpiTargetsSchema>;

export const unitKinds = ['ministry', 'province', 'sector', 'other'] as const;

/** A registered unit, as operators import it (`emc units import`). */
export const unitSchema = z.object({
  unitCode: z.string().regex(/^[A-Y]\d{2}$/, 'must be a short unit code such as H49 or G12'),
  name: z.string().min(1).max(200),
  kind: z.enum(unitKinds),
  systems: z.array(z.string().min(1).max(64)).default([]),
  targets: kpiTargetsSchema.optional(),
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
    .array(z.object({ agencyCode: z.string().min(1), name: z.string().min(1), level: z.string().min(1) }))
    .default([]),
});
export type Unit = z.infer<typeof unitSchema>;
export type UnitInput = z.input<typeof unitSchema>;
