import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { type EvaluationSummary, evaluate } from '../shared/domain/evaluation/evaluate.ts';
import { lambdaEvaluationDeps } from '../shared/lambda/evaluation-wiring.ts';
import { logger, MetricUnit, metrics } from '../shared/observability/index.ts';

const deps = lambdaEvaluationDeps();
const inputSchema = z.object({ at: z.iso.datetime({ offset: true }).optional() }).passthrough();

/**
 * Scheduled every 15 minutes. `{ "at": "<ISO time>" }` evaluates as of that time, read-only: no status
 * change, no alert, and snapshots only under `snapshots/as-of/`. A failure is logged,
 * counted (the alarm watches EvaluationFailed) and rethrown; the next run recovers by itself.
 */
export const handler = middy<unknown, EvaluationSummary>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const input = inputSchema.safeParse(event ?? {});
    const now = Date.now();
    const at = input.success && input.data.at ? Date.parse(input.data.at) : now;
    const started = Date.now();
    try {
      const summary = await evaluate({ ...deps, at, now, mode: at === now ? 'live' : 'asOf' });
      metrics.addMetric('EvaluationSucceeded', MetricUnit.Count, 1);
      metrics.addMetric(
        'UnitsNotConnected',
        MetricUnit.Count,
        summary.units - (summary.byStatus.connected ?? 0),
      );
      metrics.addMetric('AlertsSent', MetricUnit.Count, summary.alertsSent);
      metrics.addMetric('SnapshotBytes', MetricUnit.Bytes, summary.snapshotBytes);
      metrics.addMetric('EvaluationDuration', MetricUnit.Milliseconds, Date.now() - started);
      logger.info('evaluation published', { ...summary });
      return summary;
    } catch (error) {
      metrics.addMetric('EvaluationFailed', MetricUnit.Count, 1);
      logger.error('evaluation failed', { error: error instanceof Error ? error : String(error) });
      throw error;
    }
  });
