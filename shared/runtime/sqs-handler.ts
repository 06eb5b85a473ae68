import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type {
  BatchOutcome,
  FailureLogPort,
  PoisonRecord,
  QueueRecord,
  RecordFailure,
} from '../domain/worker/sqs-batch.ts';
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
  /** The queue's maxReceiveCount: a record failed on that delivery goes to the DLQ. */
  deadLetterAfter?: number,
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
      const byId = new Map(records.map((r) => [r.messageId, r]));
      const failures = outcome.failed.map((messageId): RecordFailure => {
        const record = byId.get(messageId);
        const receiveCount = record?.receiveCount ?? 0;
        const unitCode = record ? unitOf(record.body) : undefined;
        return {
          messageId,
          reason: reasons.get(messageId) ?? 'the worker failed the record without saying why',
          receiveCount,
          ...(unitCode ? { unitCode } : {}),
          ...(deadLetterAfter !== undefined && receiveCount >= deadLetterAfter ? { final: true } : {}),
        };
      });
      await failureLog.record(feed, failures).catch((error: unknown) => {
        logger.warn('failure reasons not recorded', { error: String(error) });
      });
    }
    return partialBatchResponse(outcome);
  });
}

/** The unit a message body names, if it is JSON with a string `unitCode`; poison may name none. */
function unitOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'unitCode' in parsed &&
      typeof parsed.unitCode === 'string'
    )
      return parsed.unitCode;
  } catch {
    // Not JSON: the letter is still logged by message id.
  }
  return undefined;
}

/** Lambda's partial-batch response: the failed records come back after their visibility timeout. */
export function partialBatchResponse(outcome: BatchOutcome): SQSBatchResponse {
  return { batchItemFailures: outcome.failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
