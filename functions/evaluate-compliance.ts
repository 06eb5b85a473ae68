import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { processClock } from '../shared/config/clock.ts';
import { type EvaluationSummary, evaluate } from '../shared/domain/evaluation/evaluate.ts';
import { exclusively } from '../shared/domain/evaluation/lease.ts';
import { logger, MetricUnit, metrics } from '../shared/observability/index.ts';
import { lambdaEvaluationDeps, lambdaEvaluationLease } from '../shared/runtime/evaluation-wiring.ts';

const deps = lambdaEvaluationDeps();
const clock = processClock();
const lease = lambdaEvaluationLease();
const inputSchema = z.object({ at: z.iso.datetime({ offset: true }).optional() }).passthrough();

/**
 * Scheduled every 15 minutes. `{ "at": "<ISO time>" }` evaluates as of that time, read-only: no status
 * change, no alert, and snapshots only under `snapshots/as-of/`. A failure is logged, counted (the alarm
 * watches EvaluationFailed) and rethrown; the next run recovers by itself. A run that finds another still
 * holding the evaluation lease (until that run's deadline) does nothing and says so.
 */
export const handler = middy<unknown, EvaluationSummary | { skipped: true }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    const input = inputSchema.safeParse(event ?? {});
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
      metrics.addMetric('EvaluationSucceeded', MetricUnit.Count, 1);
      metrics.addMetric(
        'UnitsNotConnected',
        MetricUnit.Count,
        summary.units - (summary.byStatus.connected ?? 0),
      );
      metrics.addMetric('AlertsSent', MetricUnit.Count, summary.alertsSent);
      metrics.addMetric('UnitEvaluationsFailed', MetricUnit.Count, summary.failures.length);
      for (const failure of summary.failures) logger.error('unit not evaluated', { ...failure });
      metrics.addMetric('SnapshotBytes', MetricUnit.Bytes, summary.snapshotBytes);
      metrics.addMetric(
        'EvaluationDuration',
        MetricUnit.Milliseconds,
        Math.round(performance.now() - started),
      );
      logger.info('evaluation published', { ...summary });
      return summary;
    } catch (error) {
      metrics.addMetric('EvaluationFailed', MetricUnit.Count, 1);
      logger.error('evaluation failed', { error: error instanceof Error ? error : String(error) });
      throw error;
    }
  });
