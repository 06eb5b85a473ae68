import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { QueueUnavailableError } from '../domain/errors.ts';
import type { QueuePort } from '../domain/ports.ts';
import type { Feed } from '../schemas/queue.ts';
import { CLIENT_DEFAULTS } from './client-config.ts';
import { backoffMs, sleep } from './retry.ts';

const sqs = new SQSClient(CLIENT_DEFAULTS);

export interface SqsQueueOptions {
  queueUrls: Partial<Record<Feed, string>>;
  /** SendMessageBatch caps the sum of its entries as it caps one message. */
  maxBatchBytes: number;
  attempts?: number;
  baseDelayMs?: number;
  client?: SQSClient;
}

/** Groups bodies into SendMessageBatch calls of at most 10 entries and `maxBatchBytes` in total. */
export function batchEntries(
  bodies: readonly string[],
  maxBatchBytes: number,
): SendMessageBatchRequestEntry[][] {
  const batches: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let size = 0;
  bodies.forEach((body, index) => {
    const bytes = Buffer.byteLength(body);
    if (current.length === 10 || (current.length > 0 && size + bytes > maxBatchBytes)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push({ Id: String(index), MessageBody: body });
    size += bytes;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * The ingest side of the queues. It resolves only once SQS holds every body; entries that fail are
 * retried with backoff, and if they still fail the caller gets QueueUnavailableError (HTTP 503).
 */
export class SqsQueue implements QueuePort {
  private readonly client: SQSClient;
  private readonly attempts: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: SqsQueueOptions) {
    this.client = options.client ?? sqs;
    this.attempts = options.attempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 50;
  }

  async send(feed: Feed, bodies: readonly string[]): Promise<void> {
    const url = this.options.queueUrls[feed];
    if (!url) throw new Error(`No queue is configured for feed ${feed}`);
    await Promise.all(
      batchEntries(bodies, this.options.maxBatchBytes).map((entries) => this.sendBatch(url, entries)),
    );
  }

  private async sendBatch(url: string, entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    let lastReason = 'unknown';
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt, this.baseDelayMs, 2_000));
      try {
        const result = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }),
        );
        const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
        const permanent = (result.Failed ?? []).find((failure) => failure.SenderFault);
        if (permanent) {
          throw new QueueUnavailableError(
            `The queue refused a message: ${permanent.Code ?? 'sender fault'}.`,
          );
        }
        pending = pending.filter((entry) => failed.has(entry.Id));
        if (pending.length === 0) return;
        lastReason = (result.Failed ?? [])[0]?.Code ?? 'partial failure';
      } catch (error) {
        if (error instanceof QueueUnavailableError) throw error;
        lastReason = error instanceof Error ? error.name : 'unknown';
      }
    }
    throw new QueueUnavailableError(
      `The queue did not accept ${pending.length} message(s) after ${this.attempts} attempts (${lastReason}). Retry the request; event ids make that safe.`,
    );
  }
}
