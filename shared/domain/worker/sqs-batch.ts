import type { z } from 'zod';
import { fieldErrors } from '../ingest/issues.ts';

/** The parts of an SQS record a worker reads; the handler adapts Lambda's event to this. */
export interface QueueRecord {
  messageId: string;
  body: string;
  receiveCount: number;
}

export interface Parsed<T> {
  record: QueueRecord;
  message: T;
}

export interface PoisonRecord {
  record: QueueRecord;
  reason: string;
}

/**
 * Splits records into parsed messages and poison. Poison is reported as a failure, never dropped: SQS moves it
 * to the DLQ after maxReceiveCount, where an operator can read the reason and redrive it.
 */
export function parseRecords<T>(
  records: readonly QueueRecord[],
  schema: z.ZodType<T>,
): {
  parsed: Parsed<T>[];
  poison: PoisonRecord[];
} {
  const parsed: Parsed<T>[] = [];
  const poison: PoisonRecord[] = [];
  for (const record of records) {
    let json: unknown;
    try {
      json = JSON.parse(record.body);
    } catch {
      poison.push({ record, reason: 'body is not JSON' });
      continue;
    }
    const result = schema.safeParse(json);
    if (result.success) parsed.push({ record, message: result.data });
    else {
      const reason = fieldErrors(result.error)
        .slice(0, 5)
        .map((error) => `${error.path}: ${error.message}`)
        .join('; ');
      poison.push({ record, reason: `message does not match the queue contract: ${reason}` });
    }
  }
  return { parsed, poison };
}

/**
 * What a worker made of a batch: the message ids it failed, each once. Lambda's partial-batch response
 * shape is the runtime's business (`shared/runtime/sqs-handler.ts`), not the domain's.
 */
export interface BatchOutcome {
  failed: string[];
}

export function batchOutcome(failedIds: Iterable<string>): BatchOutcome {
  return { failed: [...new Set(failedIds)] };
}

export interface RecordFailure {
  messageId: string;
  reason: string;
  receiveCount: number;
  /** The unit the message names, when its body says: a last failure is then counted for that unit. */
  unitCode?: string;
  /** This was the last delivery: the queue moves the message to its DLQ now. */
  final?: boolean;
}

/** Keeps why records failed, by message id, for as long as a dead letter can live. */
export interface FailureLogPort {
  record(feed: string, failures: readonly RecordFailure[]): Promise<void>;
}
