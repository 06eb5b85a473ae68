import type { DeadLetterMessage, DeadLetterQueuePort } from '../../shared/app/dlq.ts';

/**
 * A feed's DLQ and main queue over two arrays. Received letters are hidden until released or removed, as
 * SQS hides them for their visibility timeout; `receive` hands out at most ten at a time.
 */
export class InMemoryDeadLetterQueue implements DeadLetterQueuePort {
  readonly dlq: DeadLetterMessage[] = [];
  readonly feed: string[] = [];
  private readonly hidden = new Set<string>();

  add(messageId: string, body: string, receiveCount = 5): this {
    this.dlq.push({
      messageId,
      body,
      receiveCount,
      sentTimestamp: undefined,
      receiptHandle: `rh-${messageId}`,
    });
    return this;
  }

  async receive(): Promise<DeadLetterMessage[]> {
    const visible = this.dlq.filter((message) => !this.hidden.has(message.messageId)).slice(0, 10);
    for (const message of visible) this.hidden.add(message.messageId);
    return visible;
  }

  async release(messages: readonly DeadLetterMessage[]): Promise<void> {
    for (const message of messages) this.hidden.delete(message.messageId);
  }

  async sendToFeed(message: DeadLetterMessage): Promise<void> {
    this.feed.push(message.body);
  }

  async remove(message: DeadLetterMessage): Promise<void> {
    const index = this.dlq.findIndex((m) => m.receiptHandle === message.receiptHandle);
    if (index >= 0) this.dlq.splice(index, 1);
    this.hidden.delete(message.messageId);
  }
}
