import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { kpiTargetsSchema as kpiTargets } from '../schemas/registry.ts';
import defaults from './defaults.json' with { type: 'json' };

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
  heartbeat: z.object({
    expectedEverySeconds: z.number().int().positive(),
    graceSeconds: z.number().int().positive(),
  }),
  dossierFeed: z.object({ silenceHours: z.number().positive() }),
  catalog: z.object({ maxAgeDays: z.number().positive() }),
  reconciliation: z.object({ tolerance: rate, lookbackDays: z.number().int().positive() }),
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
        reconciliation: complianceCriteria.shape.reconciliation.partial().optional(),
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

/** Thrown at cold start so a misconfigured function stops with a message naming the setting. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key so an override file only names what it changes; arrays and scalars replace. */
export function deepMerge(base: Json, override: Json): Json {
  if (!isRecord(base) || !isRecord(override)) return override;
  const merged: Record<string, Json> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = current === undefined ? value : deepMerge(current, value);
  }
  return merged;
}

export function parseSettings(raw: unknown, origin: string): Settings {
  const result = settingsSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ConfigurationError(`Invalid configuration in ${origin}: ${issues.join('; ')}`);
  }
  return result.data;
}

/** The shipped defaults, overlaid with the JSON file `EMC_CONFIG` names, if any. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const overridePath = env.EMC_CONFIG;
  if (!overridePath) return parseSettings(defaults, 'shared/config/defaults.json');
  let override: Json;
  try {
    override = JSON.parse(readFileSync(overridePath, 'utf8')) as Json;
  } catch (error) {
    throw new ConfigurationError(`EMC_CONFIG=${overridePath} could not be read as JSON`, { cause: error });
  }
  return parseSettings(deepMerge(defaults as Json, override), `EMC_CONFIG=${overridePath}`);
}

let cached: Settings | undefined;

/** Parsed once per process, at first use. */
export function settings(): Settings {
  cached ??= loadSettings();
  return cached;
}
