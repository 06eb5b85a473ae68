import type { z } from 'zod';
import { parseRecords } from '../domain/worker/sqs-batch.ts';
import {
  dossierEventsEnvelopeSchema,
  heartbeatMessageSchema,
  reportMessageSchema,
} from '../schemas/queue.ts';

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

/** One message received from a feed's DLQ; `receiptHandle` settles it. */
export interface DeadLetterMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  /** When it was first sent, epoch ms, if the queue says. */
  sentTimestamp: number | undefined;
  receiptHandle: string;
}

/** One feed's dead-letter queue and the main queue it drains into (`shared/adapters/sqs-dead-letter-queue.ts`). */
export interface DeadLetterQueuePort {
  /** At most ten letters, hidden for `hideSeconds`; an empty list when none is visible. */
  receive(hideSeconds: number): Promise<DeadLetterMessage[]>;
  /** Makes received letters visible again at once. */
  release(messages: readonly DeadLetterMessage[]): Promise<void>;
  /** Sends the letter's body to the feed's main queue. */
  sendToFeed(message: DeadLetterMessage): Promise<void>;
  /** Deletes the letter from the DLQ. */
  remove(message: DeadLetterMessage): Promise<void>;
}

/** Why a dead letter failed, as far as the message itself tells: the contract it breaks, or nothing. */
function explain(feed: string, message: DeadLetterMessage): DeadLetter {
  const body = message.body;
  const record = { messageId: message.messageId, body, receiveCount: message.receiveCount };
  const { poison } = parseRecords([record], CONTRACTS[feed] as z.ZodType);
  let parsed: { unitCode?: unknown; kind?: unknown; events?: unknown } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // Reported through `reason`.
  }
  const sent = message.sentTimestamp ?? 0;
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

/**
 * The operator's dead-letter use case (`emc dlq inspect | redrive | discard`): reads a feed's dead letters
 * with their reasons, sends the redrivable ones back, and deletes the ones an operator gives up on.
 */
export class DeadLetterQueue {
  constructor(
    private readonly queue: DeadLetterQueuePort,
    readonly feed: string,
    private readonly failures?: FailureReasons,
  ) {}

  /**
   * Receives every dead letter once (hidden meanwhile for `hideSeconds`), calls `visit`, and makes the ones
   * `visit` kept visible again. Short polls only, deduplicated by message id.
   */
  private async sweep(
    hideSeconds: number,
    visit: (letter: DeadLetter, message: DeadLetterMessage) => Promise<'keep' | 'gone'>,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    const seen = new Set<string>();
    const kept: DeadLetterMessage[] = [];
    let idle = 0;
    while (seen.size < limit && idle < 3) {
      const received = await this.queue.receive(hideSeconds);
      const fresh = received.filter((m) => m.messageId && !seen.has(m.messageId));
      idle = fresh.length === 0 ? idle + 1 : 0;
      for (const message of fresh) {
        if (seen.size >= limit) {
          kept.push(message);
          continue;
        }
        seen.add(message.messageId);
        if ((await visit(explain(this.feed, message), message)) === 'keep') kept.push(message);
      }
    }
    await this.queue.release(kept);
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
      await this.queue.sendToFeed(message);
      await this.queue.remove(message);
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
      await this.queue.remove(message);
      deleted.push(letter.messageId);
      return 'gone';
    });
    return deleted;
  }
}
