import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { BatchOutcome, FailureLogPort, PoisonRecord, QueueRecord } from '../domain/worker/sqs-batch.ts';
import { logger, MetricUnit, metrics } from '../observability/index.ts';
import type { Feed } from '../schemas/queue.ts';
import { observed } from './observe.ts';

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

/** What a worker reports of the records it fails: logged, and kept for `emc dlq inspect`. */
export interface FailureReport {
  onPoison(poison: PoisonRecord): void;
  onFailure(messageId: string, error: unknown): void;
}

/**
 * Middleware in one fixed order (logger, then metrics), then one call into the domain. The reason of every
 * record reported failed is logged and written to the failure log, so a dead letter can be explained later.
 */
export function sqsHandler(
  feed: Feed,
  process: (records: QueueRecord[], report: FailureReport) => Promise<BatchOutcome>,
  failureLog?: FailureLogPort,
): SqsHandler {
  return observed<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    logger.appendKeys({ batchSize: event.Records.length });
    const records = toQueueRecords(event);
    const reasons = new Map<string, string>();
    const outcome = await process(records, {
      onPoison: (poison) => {
        logPoison(poison);
        reasons.set(poison.record.messageId, poison.reason);
      },
      onFailure: (messageId, error) => {
        logFailure(messageId, error);
        reasons.set(messageId, error instanceof Error ? error.message : String(error));
      },
    });
    metrics.addMetric('FailedRecords', MetricUnit.Count, outcome.failed.length);
    if (failureLog && outcome.failed.length > 0) {
      const receives = new Map(records.map((r) => [r.messageId, r.receiveCount]));
      const failures = outcome.failed.map((messageId) => ({
        messageId,
        reason: reasons.get(messageId) ?? 'the worker failed the record without saying why',
        receiveCount: receives.get(messageId) ?? 0,
      }));
      await failureLog.record(feed, failures).catch((error: unknown) => {
        logger.warn('failure reasons not recorded', { error: String(error) });
      });
    }
    return partialBatchResponse(outcome);
  });
}

/** Lambda's partial-batch response: the failed records come back after their visibility timeout. */
export function partialBatchResponse(outcome: BatchOutcome): SQSBatchResponse {
  return { batchItemFailures: outcome.failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
