import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterMessage, DeadLetterQueuePort } from '../app/dlq.ts';

export interface DeadLetterQueueUrls {
  /** The feed's main queue, where a redriven letter goes. */
  url: string;
  dlqUrl: string;
}

/** One feed's DLQ on SQS, for the dead-letter use case (`shared/app/dlq.ts`). */
export class SqsDeadLetterQueue implements DeadLetterQueuePort {
  private readonly client: SQSClient;

  /**
   * `waitSeconds`: 0 for the local stack (local-aws-sqs repeats messages on long polls, see
   * local/poller.ts); a short wait in AWS, so that every server is asked.
   */
  constructor(
    private readonly urls: DeadLetterQueueUrls,
    private readonly waitSeconds: number,
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({});
  }

  async receive(hideSeconds: number): Promise<DeadLetterMessage[]> {
    const result = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.urls.dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: this.waitSeconds,
        VisibilityTimeout: hideSeconds,
        AttributeNames: ['All'],
      }),
    );
    return (result.Messages ?? []).map((message) => {
      const sent = Number(message.Attributes?.SentTimestamp);
      return {
        messageId: message.MessageId ?? '',
        body: message.Body ?? '',
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
        sentTimestamp: Number.isFinite(sent) && sent > 0 ? sent : undefined,
        receiptHandle: message.ReceiptHandle ?? '',
      };
    });
  }

  async release(messages: readonly DeadLetterMessage[]): Promise<void> {
    for (let start = 0; start < messages.length; start += 10) {
      await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.urls.dlqUrl,
          Entries: messages.slice(start, start + 10).map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.receiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }

  async sendToFeed(message: DeadLetterMessage): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.urls.url, MessageBody: message.body }));
  }

  async remove(message: DeadLetterMessage): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: this.urls.dlqUrl, ReceiptHandle: message.receiptHandle }),
    );
  }
}
