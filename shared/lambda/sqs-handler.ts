import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { BatchResponse, PoisonRecord, QueueRecord } from '../domain/worker/sqs-batch.ts';
import { logger, MetricUnit, metrics } from '../observability/index.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function toQueueRecords(event: SQSEvent): QueueRecord[] {
  return event.Records.map((record) => ({
    messageId: record.messageId,
    body: record.body,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
  }));
}

/** Poison is logged with its reason (never its body, which may hold personal data) and counted. */
export function logPoison(poison: PoisonRecord): void {
  logger.error('poison record', {
    messageId: poison.record.messageId,
    receiveCount: poison.record.receiveCount,
    reason: poison.reason,
  });
  metrics.addMetric('PoisonRecords', MetricUnit.Count, 1);
}

export function logFailure(messageId: string, error: unknown): void {
  logger.warn('record will be retried', {
    messageId,
    error: error instanceof Error ? error.message : String(error),
  });
  metrics.addMetric('RetriedRecords', MetricUnit.Count, 1);
}

/** Middleware in one fixed order (logger, then metrics), then one call into the domain. */
export function sqsHandler(process: (records: QueueRecord[]) => Promise<BatchResponse>): SqsHandler {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      logger.appendKeys({ batchSize: event.Records.length });
      const response = await process(toQueueRecords(event));
      metrics.addMetric('FailedRecords', MetricUnit.Count, response.batchItemFailures.length);
      return response;
    });
}
