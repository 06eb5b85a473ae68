import type { MiddyfiedHandler } from '@middy/core';
import { z } from 'zod';
import { S3Archive } from '../adapters/s3-archive.ts';
import { type CompactionReport, compactArchive } from '../app/compact-archive.ts';
import { processClock } from '../config/clock.ts';
import { readEnv } from '../config/env.ts';
import { ENV } from '../config/env-names.ts';
import { logger, MetricUnit, metrics } from '../observability/index.ts';
import { topology } from '../topology.ts';
import { observed } from './observe.ts';

export const compactionEnvSchema = z.object({ [ENV.archiveBucket]: z.string().min(3) });

/** `{ "day": "YYYY-MM-DD" }` compacts that closed day only (a manual invoke); the schedule sends `{}`. */
export const compactionInputSchema = z.object({ day: z.iso.date().optional() }).passthrough();

/** What a run reports to CloudWatch: objects merged and deleted, and day objects written. */
export function compactionMetrics(report: CompactionReport): { name: string; value: number }[] {
  const sum = (pick: (unitDay: CompactionReport['unitDays'][number]) => number): number =>
    report.unitDays.reduce((total, unitDay) => total + pick(unitDay), 0);
  return [
    { name: 'ArchiveDaysCompacted', value: report.unitDays.filter((unitDay) => unitDay.written).length },
    { name: 'ArchiveObjectsRemoved', value: sum((unitDay) => unitDay.removed) },
    {
      name: 'ArchiveDuplicateLinesDropped',
      value: sum((unitDay) => unitDay.linesRead - unitDay.linesWritten),
    },
  ];
}

/**
 * The daily compaction of the raw archive (`shared/app/compact-archive.ts`). A failure is logged, counted
 * (the alarm watches CompactionFailed) and rethrown; whatever a failed run left, the next one merges.
 */
export function compactionHandler(): MiddyfiedHandler<unknown, CompactionReport> {
  const env = readEnv(compactionEnvSchema);
  const archive = new S3Archive(env[ENV.archiveBucket]);
  const clock = processClock();
  return observed<unknown, CompactionReport>().handler(async (event) => {
    const input = compactionInputSchema.parse(event ?? {});
    try {
      const report = await compactArchive(archive, clock(), {
        day: input.day,
        lookbackDays: topology.compaction.lookbackDays,
      });
      for (const metric of compactionMetrics(report))
        metrics.addMetric(metric.name, MetricUnit.Count, metric.value);
      metrics.addMetric('CompactionSucceeded', MetricUnit.Count, 1);
      logger.info('archive compacted', {
        days: report.days,
        unitDays: report.unitDays.filter((unitDay) => unitDay.written).length,
      });
      return report;
    } catch (error) {
      metrics.addMetric('CompactionFailed', MetricUnit.Count, 1);
      logger.error('archive compaction failed', { error: error instanceof Error ? error : String(error) });
      throw error;
    }
  });
}
