import { z } from 'zod';
import { kpiTargetsSchema as kpiTargets } from './registry.ts';

const pattern = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);
const rate = z.number().min(0).max(1);

const complianceCriteria = z.object({
  /**
   * A system is late after the longest of `graceSeconds`, `missedHeartbeats` × `expectedEverySeconds`, and two
   * evaluation intervals.
   */
  heartbeat: z.object({
    expectedEverySeconds: z.number().int().positive(),
    graceSeconds: z.number().int().positive(),
    missedHeartbeats: z.number().int().min(1),
  }),
  /**
   * The feed is silent after `silenceHours` without new dossier information. It is real flow only when the
   * dossiers received over the last `flowWindowDays` reach the largest of `minDossiers`,
   * `minShareOfHistory` of the unit's own mean for such a window over the days before, and
   * `minPerOnlineProcedure` per online procedure of its catalogue.
   */
  dossierFeed: z.object({
    silenceHours: z.number().positive(),
    flowWindowDays: z.number().int().min(1).max(45),
    minDossiers: z.number().nonnegative(),
    minShareOfHistory: rate,
    minPerOnlineProcedure: z.number().nonnegative(),
  }),
  catalog: z.object({ maxAgeDays: z.number().positive() }),
  /**
   * Daily totals are optional unless `required`; posted totals reconcile when each figure differs by at most
   * `absoluteTolerance` dossiers plus `tolerance` of the larger figure.
   */
  /** A change of status is recorded once `confirmations` consecutive evaluations agree on it. */
  stability: z.object({ confirmations: z.number().int().min(1).max(10) }),
  reconciliation: z.object({
    required: z.boolean(),
    tolerance: rate,
    absoluteTolerance: z.number().nonnegative(),
    lookbackDays: z.number().int().positive(),
  }),
  /**
   * "Comprehensive" (toàn diện): over the last `windowDays`, the share of the registry's agencies that sent
   * dossiers, of the catalogue's online procedures that had an online dossier, and of the dossiers due in the
   * window (once their grace has passed) that reached an end status in time. A share below its `minShare`
   * fails; a share with nothing to measure (null) does not. The agencies' and the procedures' shares are
   * judged only once the window's flow gives each of them `minDossiersPerItem` dossiers on average (received
   * dossiers per agency, online ones per online procedure): below that, too little flow is the feed's
   * criterion, not coverage's.
   */
  /**
   * A feed on the API that was active (`minActiveDays` working days with dossiers over the `lookbackDays`
   * before its silence) is interrupted once it has had no dossier for more working days than the larger of
   * `minSilentWorkingDays` and `multiplier` times its longest gap over that lookback. Weekends and
   * `calendar.holidays` are not working days.
   */
  feedRhythm: z.object({
    lookbackDays: z.number().int().min(7).max(89),
    minActiveDays: z.number().int().min(1),
    multiplier: z.number().positive(),
    minSilentWorkingDays: z.number().int().min(1),
  }),
  coverage: z.object({
    windowDays: z.number().int().min(1).max(60),
    minDossiersPerItem: z.number().nonnegative(),
    agencies: z.object({ minShare: rate }),
    procedures: z.object({ minShare: rate }),
    closure: z.object({ minShare: rate }),
  }),
});

/**
 * Criteria for units on a legacy sender profile, which send no heartbeats, no catalogue and no daily totals.
 * The feed is silent once it has said nothing for `multiplier` times the unit's own mean gap between active
 * days over `lookbackDays`, kept between `minSilenceHours` and `maxSilenceHours`.
 */
const legacyCriteria = z.object({
  feedRhythm: z.object({
    lookbackDays: z.number().int().min(1).max(90),
    multiplier: z.number().positive(),
    minSilenceHours: z.number().positive(),
    maxSilenceHours: z.number().positive(),
  }),
  reconciliation: z.enum(['optional', 'required']),
});

/**
 * Every setting of the product, one schema. It lives with the other schemas so that the schemas depend on
 * nothing else; `shared/config/settings.ts` loads the defaults and an override file and parses them with it.
 */
export const settingsSchema = z.object({
  identifiers: z.object({
    unitCode: pattern,
    agencyCode: pattern,
    procedureCode: pattern,
    dossierCode: pattern,
    systemId: pattern,
  }),
  ingest: z.object({
    maxBodyBytes: z.number().int().positive(),
    maxEventsPerRequest: z.number().int().positive(),
    maxCatalogProcedures: z.number().int().positive(),
    maxFutureSkewSeconds: z.number().int().nonnegative(),
    retentionDays: z.number().int().positive(),
    rateLimit: z.object({ requestsPerSecond: z.number().positive(), burst: z.number().positive() }),
    keyCacheSeconds: z.number().nonnegative(),
    keyLastUsedEverySeconds: z.number().positive(),
    /** How old ingest's copy of a unit's registered systems and agencies may be; it only drives warnings. */
    registryCacheSeconds: z.number().nonnegative().default(300),
    maxQueueMessageBytes: z.number().int().min(16_384),
  }),
  /**
   * Data sent under a retired unit code: "remap" accepts it under the old code, whose history the successor
   * carries; "reject" answers 410 from the retirement day on, naming the successor.
   */
  lifecycle: z.object({ retiredUnitCodes: z.enum(['remap', 'reject']) }),
  time: z.object({ zone: z.string(), utcOffsetMinutes: z.number().int() }),
  /** Public holidays (Vietnam's days, `YYYY-MM-DD`), Tết among them: not working days for a feed's rhythm. */
  calendar: z.object({ holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)) }),
  dossier: z.object({
    receivedStatuses: z.array(z.number().int().min(1).max(10)),
    resolvedStatuses: z.array(z.number().int().min(1).max(10)),
    maxSupplementRequestsOnTime: z.number().int().nonnegative(),
    satisfiedAtLeast: z.number().int().min(1).max(5),
    /** Statuses that refuse a dossier; by the national list, 3 "không tiếp nhận". */
    notAcceptedStatuses: z.array(z.number().int().min(1).max(10)).default([3]),
    /** Whether a refusal after a receipt retracts it (the national list's meaning) or is ignored. */
    notAccepted: z.enum(['retracts_receipt', 'ignored']).default('retracts_receipt'),
    supplementStatuses: z.array(z.number().int().min(1).max(10)).default([5]),
    /** Statuses that end a dossier without a resolution: it is no longer open, so never overdue. */
    closedStatuses: z.array(z.number().int().min(1).max(10)).default([7, 8]),
    /**
     * A dossier is closed in time (the coverage's closure share) when its first end status comes at most this
     * many days after its due date. It is part of the counters, so a change counts from the next rebuild.
     */
    closureGraceDays: z.number().int().min(0).max(29).default(3),
    /**
     * The on-time rate's denominator: resolved dossiers with a due date only, or those plus dossiers still
     * open past their due date, so that a unit cannot improve its rate by holding late files back.
     */
    onTimeDenominator: z.enum(['resolved', 'resolved_and_overdue_open']).default('resolved_and_overdue_open'),
  }),
  compliance: complianceCriteria.extend({
    legacy: legacyCriteria,
    unitOverrides: z.record(
      z.string(),
      z.object({
        heartbeat: complianceCriteria.shape.heartbeat.partial().optional(),
        dossierFeed: complianceCriteria.shape.dossierFeed.partial().optional(),
        catalog: complianceCriteria.shape.catalog.partial().optional(),
        stability: complianceCriteria.shape.stability.partial().optional(),
        reconciliation: complianceCriteria.shape.reconciliation.partial().optional(),
        feedRhythm: complianceCriteria.shape.feedRhythm.partial().optional(),
        /** The thresholds only: the window is the same for every unit, so one read plan serves them all. */
        coverage: z
          .object({
            agencies: complianceCriteria.shape.coverage.shape.agencies.optional(),
            procedures: complianceCriteria.shape.coverage.shape.procedures.optional(),
            closure: complianceCriteria.shape.coverage.shape.closure.optional(),
          })
          .optional(),
        legacy: z
          .object({
            feedRhythm: legacyCriteria.shape.feedRhythm.partial().optional(),
            reconciliation: legacyCriteria.shape.reconciliation.optional(),
          })
          .optional(),
      }),
    ),
  }),
  worker: z.object({
    // One more item carries the delta, and one checks that no rebuild holds the unit: 100 in all.
    maxChangesPerCommit: z.number().int().min(1).max(98),
    maxFootprint: z.number().int().min(4).max(96),
    foldAtPending: z.number().int().min(1),
    maxStaleRounds: z.number().int().min(1),
  }),
  alerts: z.object({
    reminderEveryHours: z.number().positive(),
    weeklyDigestWeekday: z.number().int().min(0).max(6),
    /**
     * When more than `share` of the units evaluated, and at least `minUnits`, change status in one evaluation,
     * the monitoring itself more likely failed: their alerts are held for an operator to release or drop.
     */
    massChange: z.object({ share: rate, minUnits: z.number().int().min(1) }),
  }),
  targets: z.object({ default: kpiTargets, byAgencyLevel: z.record(z.string(), kpiTargets) }),
  index: z.object({
    groups: z.record(
      z.enum(['transparency', 'progress', 'onlineService', 'digitization', 'satisfaction']),
      z.object({ max: z.number().nonnegative(), measured: z.boolean() }),
    ),
    thresholds: z.object({
      onlineRate: rate,
      onlinePaymentRate: rate,
      digitizedRate: rate,
      satisfactionRate: rate,
    }),
    onlineServiceSplit: z.object({
      onlineSubmission: z.number().nonnegative(),
      onlinePayment: z.number().nonnegative(),
    }),
    bands: z.array(z.object({ band: z.string(), min: z.number() })).min(1),
    /** A band only once the measured groups are worth this many points (of 100); below, "not enough data". */
    minMeasuredMax: z.number().nonnegative().default(60),
  }),
});

export type Settings = z.infer<typeof settingsSchema>;
