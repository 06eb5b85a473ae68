import { z } from 'zod';
import { senderProfileNames } from './legacy-emc.ts';

/**
 * The public contract of the published snapshots. The dashboard and third parties read these files; the
 * JSON Schemas in docs/schemas/ are generated from here, and tests validate real output against them.
 */
const rate = z
  .number()
  .min(0)
  .max(1)
  .nullable()
  .meta({ description: 'A share from 0 to 1; null when its denominator is 0 (not applicable).' });
const count = z.number().int().min(0);

export const kpisSchema = z
  .object({
    dossiersReceived: count,
    dossiersReceivedOnline: count,
    dossiersReceivedPostal: count,
    dossiersFromNationalPortal: count,
    dossiersResultByPost: count.meta({
      description: 'Dossiers received whose result is delivered by post; not a submission channel.',
    }),
    onlineRate: rate,
    fullOnlineEligible: count,
    fullOnlineDossiers: count,
    fullOnlineRate: rate,
    dossiersResolved: count,
    dossiersResolvedOnline: count,
    processedOnlineRate: rate,
    dossiersWithDueDate: count,
    dossiersWithoutDueDate: count.meta({
      description: 'Dossiers resolved with no known due date: outside the on-time rate.',
    }),
    dossiersNoDueDate: count.meta({
      description:
        'Dossiers resolved whose procedure has, explicitly, no due date: outside the on-time rate. Part of dossiersWithoutDueDate.',
    }),
    dossiersOverdueOpen: count.meta({
      description:
        'Dossiers received, still open at the evaluation time, whose due day falls in the period and before the evaluation day.',
    }),
    onTimeDenominator: count.meta({
      description:
        'The on-time rate’s denominator: dossiersWithDueDate, plus dossiersOverdueOpen unless configured otherwise.',
    }),
    dossiersOnTime: count,
    onTimeRate: rate,
    dossiersWithFee: count,
    onlinePayments: count,
    onlinePaymentAmountVnd: count,
    onlinePaymentRate: rate,
    dossiersDigitized: count,
    digitizedRate: rate,
    ratings: count,
    satisfiedRatings: count,
    satisfactionRate: rate,
    onlineServicesOffered: count,
    onlineServicesWithDossiers: count.nullable().meta({
      description:
        'Procedures with at least one online dossier. Kept per month, quarter and year; null for shorter periods.',
    }),
    onlineServicesWithDossiersRate: rate,
    proceduresOnlineOutsideCatalog: count.nullable().meta({
      description:
        'Data quality: procedures with online dossiers in the period that the catalogue does not list, or lists as offline. Null when online services are not kept for the period or the catalogue names no procedures.',
    }),
    proceduresTotal: count,
    proceduresOnline: count,
    proceduresFullOnline: count,
    proceduresOnlineRate: rate,
  })
  .meta({ description: 'Figures for one period. Every rate comes with the counts behind it.' });
export type Kpis = z.infer<typeof kpisSchema>;

export const periods = ['today', 'last7Days', 'monthToDate', 'quarterToDate', 'yearToDate'] as const;
export type Period = (typeof periods)[number];
export const periodKpisSchema = z.object(
  Object.fromEntries(periods.map((p) => [p, kpisSchema])) as Record<Period, typeof kpisSchema>,
);
export type PeriodKpis = z.infer<typeof periodKpisSchema>;

const message = z.object({ vi: z.string(), en: z.string() });

export const connectionStatuses = ['connected', 'partial', 'interrupted', 'never_connected'] as const;
export type ConnectionStatus = (typeof connectionStatuses)[number];

const coverageShareSchema = z.object({
  value: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .meta({ description: 'numerator / denominator; null when the denominator is 0.' }),
  numerator: z.number().int().nonnegative(),
  denominator: z.number().int().nonnegative(),
  threshold: z
    .number()
    .min(0)
    .max(1)
    .meta({ description: 'The least share that passes (compliance.coverage.*.minShare).' }),
  missing: z
    .array(z.string())
    .optional()
    .meta({ description: 'The agency or procedure codes that are missing, the first 20 of them.' }),
});

export const coverageSchema = z
  .object({
    from: z.string().meta({ description: 'The first day of the window (Vietnam time), included.' }),
    to: z.string().meta({ description: 'The last day of the window: the evaluation’s day.' }),
    agencies: coverageShareSchema.meta({
      description: 'Agencies listed in the registry with any dossier counted in the window, of those listed.',
    }),
    procedures: coverageShareSchema.meta({
      description:
        'Online procedures of the catalogue with an online dossier in a month the window touches, of those procedures.',
    }),
    closure: coverageShareSchema.extend({ from: z.string(), to: z.string() }).meta({
      description:
        'Dossiers due from `from` to `to` (days whose grace has passed) that reached an end status by the due date plus dossier.closureGraceDays, of the dossiers due then.',
    }),
  })
  .meta({
    description: 'The "comprehensive" criterion (compliance.coverage), published even where it passes.',
  });
export type CoverageFigures = z.infer<typeof coverageSchema>;

export const connectionSchema = z.object({
  status: z.enum(connectionStatuses).meta({
    description:
      'The recorded status: a change is recorded once compliance.stability.confirmations evaluations in a row agree on it.',
  }),
  reasons: z
    .array(z.object({ code: z.string(), message }))
    .meta({ description: 'What this evaluation found wrong, even while a change is still pending.' }),
  since: z.string().nullable().meta({ description: 'When the unit entered this status (ISO-8601).' }),
  pending: z
    .object({
      status: z.enum(connectionStatuses),
      count: z.number().int().positive(),
      of: z.number().int().positive(),
      since: z.string(),
    })
    .optional()
    .meta({
      description:
        'A different status seen by the last `count` evaluations in a row, since `since`; it is recorded once `of` agree.',
    }),
  lastHeartbeatAt: z.string().nullable(),
  lastDossierEventAt: z.string().nullable(),
  catalogSyncedAt: z.string().nullable(),
  alertsHeld: z
    .enum(['paused', 'maintenance'])
    .nullable()
    .meta({ description: 'Why alerts for this unit are held back, if they are.' }),
  criteria: z
    .object({
      sender: z
        .enum(senderProfileNames)
        .nullable()
        .meta({ description: 'The legacy sender profile the unit was judged as; null for the API.' }),
      applied: z.array(z.string()).meta({
        description:
          'The criteria applied: heartbeat, dossier_feed, catalog, reconciliation, coverage and feed_rhythm for the API; feed_rhythm, catalog or observed_catalog, and reconciliation or reconciliation_optional for a legacy sender.',
        examples: [['feed_rhythm', 'observed_catalog', 'reconciliation_optional']],
      }),
    })
    .optional(),
  coverage: coverageSchema.optional(),
});

export const figureSourcesSchema = z.record(z.string(), z.enum(['folded', 'not_reported', 'derived'])).meta({
  description:
    'Figures the unit’s sender cannot make exact: "folded" when the sender merges codes (the figure is reported but coarser), "not_reported" when it never says (counts stay 0 and rates null), "derived" when the figure comes from the unit’s synced catalogue by procedure code rather than from the records (for dossiers received once the catalogue was synced). Figures not listed are exact.',
});

const attainment = z.object({
  actual: z.number().nullable(),
  met: z
    .boolean()
    .nullable()
    .meta({ description: 'actual ≥ target; null when the figure is not applicable.' }),
  withinRange: z.boolean().nullable().meta({
    description: 'target ≤ actual ≤ targetMax; null without a range or when the figure is not applicable.',
  }),
});
export const targetResultSchema = z.object({
  target: z.number().meta({ description: 'The share to reach: the target, or the lower end of its range.' }),
  targetMax: z
    .number()
    .nullable()
    .meta({ description: 'The upper end of a range target; null for a plain one.' }),
  source: z.enum(['agency', 'unit_level', 'national_level', 'unit_default', 'national_default']).meta({
    description:
      'Where the target came from, by precedence: agency, unit for the level, national for the level, unit default, national default.',
  }),
  actual: z.number().nullable().meta({ description: 'The year-to-date figure.' }),
  met: z.boolean().nullable(),
  periods: z.object({ monthToDate: attainment, quarterToDate: attainment, yearToDate: attainment }),
});
export type TargetResult = z.infer<typeof targetResultSchema>;
export const targetsSchema = z.record(z.string(), targetResultSchema);

export const scoreSchema = z.object({
  total: z.number().nullable().meta({ description: 'Points earned in the measured groups.' }),
  measuredMax: z.number().meta({
    description:
      'The points the measured groups and parts could earn; a rate that is not applicable leaves its points out.',
  }),
  scaled: z.number().nullable().meta({ description: 'total out of measuredMax, rescaled to 100.' }),
  band: z.string().nullable().meta({
    description:
      'The band of scaled; "not_enough_data" when measuredMax is below the configured minimum; null without a score.',
  }),
  notEvaluated: z.literal('not_connected').optional().meta({
    description:
      'Present on a unit that is not fully connected: it is not evaluated for the index (no score, no band, not ranked); its figures stay published.',
  }),
  groups: z.record(
    z.string(),
    z.object({
      score: z.number().nullable(),
      max: z.number(),
      measuredMax: z.number().meta({ description: 'The part of max whose rates were applicable.' }),
      measured: z.boolean(),
    }),
  ),
});

export const kindScoreSchema = z
  .object({
    average: z.number().nullable().meta({
      description: 'Mean of scaled over the kind’s units with a band on enough data; null when none.',
    }),
    scored: count,
    notEnoughData: count,
    byBand: z.record(z.string(), count),
    ranking: z.array(
      z.object({
        rank: z.number().int().min(1).meta({ description: 'Equal scores share a rank (1, 2, 2, 4).' }),
        unitCode: z.string(),
        name: z.string(),
        scaled: z.number(),
        band: z.string(),
      }),
    ),
  })
  .meta({ description: 'The index within one kind of unit: its average, bands and ranking.' });
export type KindScore = z.infer<typeof kindScoreSchema>;

export const unitRowSchema = z.object({
  unitCode: z.string(),
  name: z.string(),
  kind: z.string(),
  predecessors: z
    .array(
      z.object({
        unitCode: z.string(),
        name: z.string(),
        retiredOn: z.string().meta({ description: 'The first day the predecessor no longer existed.' }),
        whole: z.boolean().meta({ description: 'false when only some agencies came over (a split).' }),
      }),
    )
    .optional()
    .meta({
      description:
        'Units merged or split into this one. Their figures are included in every figure of this unit.',
    }),
  connection: connectionSchema,
  kpis: periodKpisSchema,
  figureSources: figureSourcesSchema.optional(),
  targets: targetsSchema,
  score: scoreSchema,
  evaluation: z
    .object({ failed: z.literal(true), reason: z.string(), stale: z.literal(true) })
    .optional()
    .meta({
      description:
        'Present when this unit could not be evaluated this time: its status is the last one known (stale), its figures are empty, and the reason says what failed.',
    }),
});
export type UnitRow = z.infer<typeof unitRowSchema>;

/** One day of the national trend: the three headline rates with the counts behind them. */
export const nationalDaySchema = kpisSchema
  .pick({
    dossiersReceived: true,
    dossiersReceivedOnline: true,
    onlineRate: true,
    fullOnlineEligible: true,
    fullOnlineDossiers: true,
    fullOnlineRate: true,
    dossiersWithDueDate: true,
    dossiersOverdueOpen: true,
    onTimeDenominator: true,
    dossiersOnTime: true,
    onTimeRate: true,
  })
  .extend({ date: z.string().meta({ description: 'The day, YYYY-MM-DD in Vietnam time.' }) });
export type NationalDay = z.infer<typeof nationalDaySchema>;

export const latestSnapshotSchema = z
  .object({
    schemaVersion: z.literal(1),
    generatedAt: z.string(),
    generation: z.string().optional().meta({
      description:
        'The path of this snapshot’s own generation, such as snapshots/2026-11-23T03-30-00.000Z/: its unit files are there, written before this file, and never change. Read unit files from it, not from snapshots/units/, so a page never mixes two generations.',
    }),
    unitGenerations: z.record(z.string(), z.string()).optional().meta({
      description:
        'For a unit whose file did not change since an earlier evaluation, the generation that holds it (such as snapshots/2026-11-23T03-15-00.000Z/): its file was not written again. A unit not listed has its file in generation.',
    }),
    asOf: z
      .string()
      .meta({ description: 'The time the evaluation ran as of; equals generatedAt unless run with --at.' }),
    timeZone: z.string(),
    connection: z.object({
      registered: count,
      connected: count,
      notConnected: count,
      byStatus: z.record(z.string(), count),
    }),
    national: z.object({
      kpis: periodKpisSchema,
      previous7Days: kpisSchema.meta({ description: 'The 7 days before last7Days, to show the change.' }),
      previous: z
        .object({
          today: kpisSchema.meta({ description: 'Yesterday.' }),
          last7Days: kpisSchema.meta({ description: 'The 7 days before last7Days (equals previous7Days).' }),
          monthToDate: kpisSchema.meta({
            description: 'The previous month, from its first day to the same day of the month (or its end).',
          }),
        })
        .meta({
          description:
            'The period before each short period, summed from day counters. Quarter and year to date have no previous period here: the day counters kept cover 90 days.',
        }),
      yearAgo: periodKpisSchema.optional().meta({
        description:
          'Each period over the same days a year earlier (ending on the same date; 28 February for a 29 February), summed from day and month counters, without catalogue figures. Rates are null where that year has no dossiers. Absent in snapshots published before it was kept.',
      }),
      series: z
        .array(nationalDaySchema)
        .meta({ description: 'The national trend, one entry per day, oldest first, 90 days.' }),
      targets: targetsSchema,
      score: scoreSchema,
    }),
    byKind: z.record(
      z.string(),
      z.object({ units: count, connected: count, kpis: periodKpisSchema, score: kindScoreSchema }),
    ),
    evaluation: z
      .object({
        everyMinutes: z.number().positive().meta({ description: 'How often the evaluation runs.' }),
        failedUnits: z.array(z.string()).meta({
          description: 'Units that could not be evaluated this time; national figures leave them out.',
        }),
      })
      .optional(),
    units: z.array(unitRowSchema),
  })
  .meta({ id: 'LatestSnapshot', description: 'snapshots/latest.json' });
export type LatestSnapshot = z.infer<typeof latestSnapshotSchema>;

export const unitSnapshotSchema = z
  .object({
    schemaVersion: z.literal(1),
    generatedAt: z.string(),
    unit: unitRowSchema,
    series: z
      .array(z.object({ date: z.string(), kpis: kpisSchema }))
      .meta({ description: 'One entry per day, oldest first, 90 days.' }),
    agencies: z.array(
      z.object({
        agencyCode: z.string(),
        name: z.string().nullable(),
        level: z.string().nullable(),
        kpis: periodKpisSchema,
        targets: targetsSchema,
      }),
    ),
    history: z.array(
      z.object({ status: z.enum(connectionStatuses), since: z.string(), reasons: z.array(z.string()) }),
    ),
    connection: z
      .object({
        heartbeats: z
          .array(
            z.object({
              systemId: z.string(),
              registered: z.boolean(),
              lastSeenAt: z.string().nullable(),
              lateAt: z.string().nullable().meta({
                description: 'When this system is late if no heartbeat arrives before; null if never heard.',
              }),
            }),
          )
          .meta({
            description: 'Each registered system, and any other that sent a heartbeat, as of the evaluation.',
          }),
        lateAt: z.string().nullable().meta({
          description:
            'The earliest time a registered system turns late without another heartbeat: from then the unit is no longer fully connected. Null when no registered system was heard.',
        }),
        reconciliation: z
          .array(
            z.object({
              date: z.string(),
              figure: z.string(),
              reported: z.number(),
              counted: z.number(),
              withinTolerance: z.boolean(),
            }),
          )
          .meta({
            description:
              'Each figure the unit reported for a day of the lookback (today excluded), beside the counted one.',
          }),
      })
      .optional()
      .meta({
        description: 'Absent in files published before it was added, and for a unit that was not evaluated.',
      }),
  })
  .meta({ id: 'UnitSnapshot', description: 'snapshots/units/<unitCode>.json' });
export type UnitSnapshot = z.infer<typeof unitSnapshotSchema>;
