import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { z } from 'zod';
import { parseRecords } from '../shared/domain/worker/sqs-batch.ts';
import {
  dossierEventsEnvelopeSchema,
  heartbeatMessageSchema,
  reportMessageSchema,
} from '../shared/schemas/queue.ts';
import { CliError, type Target } from './context.ts';

/** A dossier-events message is judged by its envelope: the worker sets an invalid event aside on its own. */
const CONTRACTS: Record<string, z.ZodType> = {
  'dossier-events': dossierEventsEnvelopeSchema,
  heartbeats: heartbeatMessageSchema,
  reports: reportMessageSchema,
};

export interface DeadLetter {
  messageId: string;
  sentAt: string | null;
  /** As SQS reports it: deliveries, including looks at it in the DLQ. */
  receiveCount: number;
  unitCode: string | null;
  kind: string | null;
  events: number | null;
  /** Whether the message passes today's queue contract: a redrive can only help if it does. */
  valid: boolean;
  reason: string;
  body: string;
}

/** Why a dead letter failed, as far as the message itself tells: the contract it breaks, or nothing. */
function explain(feed: string, message: Message): DeadLetter {
  const body = message.Body ?? '';
  const record = {
    messageId: message.MessageId ?? '',
    body,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
  };
  const { poison } = parseRecords([record], CONTRACTS[feed] as z.ZodType);
  let parsed: { unitCode?: unknown; kind?: unknown; events?: unknown } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // Reported through `reason`.
  }
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    messageId: record.messageId,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    receiveCount: record.receiveCount,
    unitCode: typeof parsed.unitCode === 'string' ? parsed.unitCode : null,
    kind: typeof parsed.kind === 'string' ? parsed.kind : null,
    events: Array.isArray(parsed.events) ? parsed.events.length : null,
    valid: poison.length === 0,
    reason:
      poison[0]?.reason ??
      `valid message that kept failing while being processed (throttling, a conflict, a timeout or a unit held by a rebuild); the worker logs give the error for message ${record.messageId}; safe to redrive`,
    body,
  };
}

/** Where workers keep why a record failed (`shared/adapters/dynamo-failure-log.ts`). */
export interface FailureReasons {
  reasons(
    feed: string,
    messageIds: readonly string[],
  ): Promise<Map<string, { reason: string; receiveCount: number; at: number }>>;
}

export class DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly target: Target,
    readonly feed: string,
    private readonly failures?: FailureReasons,
  ) {
    if (!target.queues[feed])
      throw new CliError(`No queue ${feed}; the queues are ${Object.keys(target.queues).join(', ')}.`);
  }

  private get urls(): { url: string; dlqUrl: string } {
    return this.target.queues[this.feed] as { url: string; dlqUrl: string };
  }

  /**
   * Receives every dead letter once (hidden meanwhile for `hideSeconds`), calls `visit`, and makes the ones
   * `visit` kept visible again. Short polls only, deduplicated by message id.
   */
  private async sweep(
    hideSeconds: number,
    visit: (letter: DeadLetter, message: Message) => Promise<'keep' | 'gone'>,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    const seen = new Set<string>();
    const kept: Message[] = [];
    let idle = 0;
    while (seen.size < limit && idle < 3) {
      const result = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.urls.dlqUrl,
          MaxNumberOfMessages: 10,
          // Short polls locally (see local/poller.ts); in AWS a short wait, so every server is asked.
          WaitTimeSeconds: this.target.kind === 'aws' ? 2 : 0,
          VisibilityTimeout: hideSeconds,
          AttributeNames: ['All'],
        }),
      );
      const fresh = (result.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
      idle = fresh.length === 0 ? idle + 1 : 0;
      for (const message of fresh) {
        if (seen.size >= limit) {
          kept.push(message);
          continue;
        }
        seen.add(message.MessageId ?? '');
        if ((await visit(explain(this.feed, message), message)) === 'keep') kept.push(message);
      }
    }
    for (let start = 0; start < kept.length; start += 10) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.urls.dlqUrl,
          Entries: kept.slice(start, start + 10).map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }

  /**
   * The dead letters with their reasons. Reading them leaves them in place. A valid letter gets the reason
   * the worker recorded when it last failed it.
   */
  async inspect(limit = 100): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    await this.sweep(
      60,
      async (letter) => {
        letters.push(letter);
        return 'keep';
      },
      limit,
    );
    const valid = letters.filter((letter) => letter.valid);
    const recorded = this.failures
      ? await this.failures.reasons(
          this.feed,
          valid.map((letter) => letter.messageId),
        )
      : new Map();
    for (const letter of valid) {
      const failure = recorded.get(letter.messageId);
      if (failure)
        letter.reason = `${failure.reason} (last failed ${new Date(failure.at).toISOString()}, delivery ${failure.receiveCount}); safe to redrive once that is fixed`;
    }
    return letters;
  }

  /**
   * Sends the selected dead letters back to the main queue, each sent before it is deleted from the DLQ:
   * an interruption can only leave a copy in both, and the workers count a copy once. Letters that break the
   * queue contract stay, since a redrive could not help them.
   */
  async redrive(
    select: (letter: DeadLetter) => boolean,
    progress: (done: number) => void = () => undefined,
  ): Promise<{ redriven: string[]; stillInvalid: string[]; left: number }> {
    const outcome = { redriven: [] as string[], stillInvalid: [] as string[], left: 0 };
    await this.sweep(120, async (letter, message) => {
      if (!select(letter)) {
        outcome.left++;
        return 'keep';
      }
      if (!letter.valid) {
        outcome.stillInvalid.push(letter.messageId);
        return 'keep';
      }
      await this.sqs.send(
        new SendMessageCommand({ QueueUrl: this.urls.url, MessageBody: message.Body ?? '' }),
      );
      await this.sqs.send(
        new DeleteMessageCommand({ QueueUrl: this.urls.dlqUrl, ReceiptHandle: message.ReceiptHandle ?? '' }),
      );
      outcome.redriven.push(letter.messageId);
      progress(outcome.redriven.length);
      return 'gone';
    });
    return outcome;
  }

  /** Deletes the selected dead letters for good, after their bodies have been saved if needed. */
  async discard(select: (letter: DeadLetter) => boolean): Promise<string[]> {
    const deleted: string[] = [];
    await this.sweep(60, async (letter, message) => {
      if (!select(letter)) return 'keep';
      await this.sqs.send(
        new DeleteMessageCommand({ QueueUrl: this.urls.dlqUrl, ReceiptHandle: message.ReceiptHandle ?? '' }),
      );
      deleted.push(letter.messageId);
      return 'gone';
    });
    return deleted;
  }
}
