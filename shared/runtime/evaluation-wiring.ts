import { S3Client } from '@aws-sdk/client-s3';
import type { MiddyfiedHandler } from '@middy/core';
import { z } from 'zod';
import { CLIENT_DEFAULTS, s3PathStyle } from '../adapters/client-config.ts';
import { DynamoDossierStore } from '../adapters/dynamo-dossier-store.ts';
import { DynamoEvaluationReader } from '../adapters/dynamo-evaluation-reader.ts';
import { DynamoLease } from '../adapters/dynamo-lease.ts';
import { DynamoRegistry } from '../adapters/dynamo-registry.ts';
import { DynamoStatusStore } from '../adapters/dynamo-status-store.ts';
import { S3SnapshotPublisher } from '../adapters/s3-snapshot-publisher.ts';
import { SnsAlertPublisher } from '../adapters/sns-alert-publisher.ts';
import { type Clock, processClock } from '../config/clock.ts';
import { readEnv } from '../config/env.ts';
import { ENV } from '../config/env-names.ts';
import { type Settings, settings } from '../config/settings.ts';
import { type EvaluationDeps, type EvaluationSummary, evaluate } from '../domain/evaluation/evaluate.ts';
import type { LeasePort } from '../domain/evaluation/lease.ts';
import { exclusively } from '../domain/evaluation/lease.ts';
import type { AlertPort } from '../domain/evaluation/ports.ts';
import { logger, MetricUnit, metrics } from '../observability/index.ts';
import { topology } from '../topology.ts';
import { observed } from './observe.ts';

export const evaluationEnvSchema = z.object({
  [ENV.stateTable]: z.string().min(3),
  [ENV.snapshotBucket]: z.string().min(3),
  [ENV.alertTopicArn]: z.string().min(1).optional(),
  [ENV.evaluateEveryMinutes]: z.coerce.number().positive().optional(),
});

/** Everything an evaluation needs but the clock; the Lambda and the local runtime each add their own alerts. */
export function evaluationDeps(
  env: z.infer<typeof evaluationEnvSchema>,
  alerts: (s3: S3Client) => AlertPort,
  clients: { s3?: S3Client } = {},
  clock: Clock = processClock(),
): Omit<EvaluationDeps, 'at' | 'now'> & { config: Settings } {
  const s3 = clients.s3 ?? new S3Client({ ...CLIENT_DEFAULTS, forcePathStyle: s3PathStyle() });
  const dossiers = new DynamoDossierStore(env[ENV.stateTable], undefined, undefined, undefined, clock);
  return {
    config: settings(),
    registry: new DynamoRegistry(env[ENV.stateTable]),
    reader: new DynamoEvaluationReader(env[ENV.stateTable], dossiers),
    statuses: new DynamoStatusStore(env[ENV.stateTable]),
    alerts: alerts(s3),
    snapshots: new S3SnapshotPublisher(env[ENV.snapshotBucket], s3),
    everyMinutes: env[ENV.evaluateEveryMinutes] ?? topology.evaluation.everyMinutes,
  };
}

export function lambdaEvaluationDeps(): Omit<EvaluationDeps, 'at' | 'now'> {
  const env = readEnv(evaluationEnvSchema.extend({ [ENV.alertTopicArn]: z.string().min(1) }));
  return evaluationDeps(
    env,
    (s3) => new SnsAlertPublisher(env[ENV.alertTopicArn], s3, env[ENV.snapshotBucket]),
  );
}

/** The lease that keeps scheduled and manual evaluations from overlapping, whatever the account's quota. */
export function lambdaEvaluationLease(): LeasePort {
  const env = readEnv(evaluationEnvSchema.pick({ [ENV.stateTable]: true }));
  return new DynamoLease(env[ENV.stateTable], 'evaluate-compliance');
}

export interface RunMetric {
  name: string;
  unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  value: number;
}

/**
 * What a finished run reports. `SnapshotBytes` is the `snapshot-stale` alarm's signal that `latest.json` was
 * published, so only a live run sends it: a run as of a past time writes under `snapshots/as-of/` and must not
 * keep that alarm quiet while the live snapshot goes stale.
 */
export function runMetrics(
  summary: EvaluationSummary,
  mode: 'live' | 'asOf',
  durationMs: number,
): RunMetric[] {
  return [
    { name: 'EvaluationSucceeded', unit: MetricUnit.Count, value: 1 },
    {
      name: 'UnitsNotConnected',
      unit: MetricUnit.Count,
      value: summary.units - (summary.byStatus.connected ?? 0),
    },
    { name: 'AlertsSent', unit: MetricUnit.Count, value: summary.alertsSent },
    { name: 'UnitEvaluationsFailed', unit: MetricUnit.Count, value: summary.failures.length },
    ...(mode === 'live'
      ? [{ name: 'SnapshotBytes', unit: MetricUnit.Bytes, value: summary.snapshotBytes }]
      : []),
    { name: 'EvaluationDuration', unit: MetricUnit.Milliseconds, value: Math.round(durationMs) },
  ];
}

const scheduledInputSchema = z.object({ at: z.iso.datetime({ offset: true }).optional() }).passthrough();

/**
 * The scheduled evaluation (every 15 minutes). `{ "at": "<ISO time>" }` evaluates as of that time,
 * read-only: no status change, no alert, and snapshots only under `snapshots/as-of/`. A failure is logged, counted (the alarm
 * watches EvaluationFailed) and rethrown; the next run recovers by itself. A run that finds another still
 * holding the evaluation lease (until that run's deadline) does nothing and says so.
 */
export function evaluationHandler(): MiddyfiedHandler<unknown, EvaluationSummary | { skipped: true }> {
  const deps = lambdaEvaluationDeps();
  const clock = processClock();
  const lease = lambdaEvaluationLease();
  return observed<unknown, EvaluationSummary | { skipped: true }>().handler(async (event, context) => {
    const input = scheduledInputSchema.safeParse(event ?? {});
    const now = clock();
    const at = input.success && input.data.at ? Date.parse(input.data.at) : now;
    const started = performance.now();
    try {
      const run = await exclusively(
        lease,
        context.awsRequestId,
        { now, until: now + context.getRemainingTimeInMillis() },
        () => evaluate({ ...deps, at, now, mode: at === now ? 'live' : 'asOf' }),
      );
      if (!run.ran) {
        metrics.addMetric('EvaluationSkipped', MetricUnit.Count, 1);
        logger.warn('evaluation skipped: another evaluation holds the lease');
        return { skipped: true };
      }
      const summary = run.value;
      for (const failure of summary.failures) logger.error('unit not evaluated', { ...failure });
      for (const metric of runMetrics(summary, at === now ? 'live' : 'asOf', performance.now() - started))
        metrics.addMetric(metric.name, metric.unit, metric.value);
      logger.info('evaluation published', { ...summary });
      return summary;
    } catch (error) {
      metrics.addMetric('EvaluationFailed', MetricUnit.Count, 1);
      logger.error('evaluation failed', { error: error instanceof Error ? error : String(error) });
      throw error;
    }
  });
}
