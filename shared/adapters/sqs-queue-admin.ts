import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

/** One received message, as the local event-source mapping and the operator commands read it. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  /** SQS's system attributes (`ApproximateReceiveCount`, `SentTimestamp`, …), as strings. */
  attributes: Record<string, string>;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
}

export interface FeedQueueSettings {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

/**
 * The queue operations that are not the ingest path: creating a feed's queue and its DLQ (the local stack),
 * reading a queue's depth (`emc status`, the local stack's drain), and the receive/delete loop of the local
 * event-source mapping. The CLI and the local runtime reach SQS only through this class and SqsQueue.
 */
export class SqsQueueAdmin {
  readonly client: SQSClient;

  constructor(client?: SQSClient) {
    this.client = client ?? new SQSClient({});
  }

  /** A queue named `emc-<feed>` whose redrive policy moves a record to `emc-<feed>-dlq`. */
  async createFeedQueue(feed: string, settings: FeedQueueSettings): Promise<{ url: string; dlqUrl: string }> {
    const dlq = await this.client.send(new CreateQueueCommand({ QueueName: `emc-${feed}-dlq` }));
    const dlqUrl = dlq.QueueUrl ?? '';
    const arn = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await this.client.send(
      new CreateQueueCommand({
        QueueName: `emc-${feed}`,
        Attributes: {
          VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: arn.Attributes?.QueueArn,
            maxReceiveCount: String(settings.maxReceiveCount),
          }),
        },
      }),
    );
    return { url: queue.QueueUrl ?? '', dlqUrl };
  }

  async depth(queueUrl: string): Promise<QueueDepth> {
    const result = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  /** One short poll (no wait) of at most ten messages, hidden for `visibilityTimeoutSeconds`. */
  async receive(queueUrl: string, max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
    const result = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: 0,
        VisibilityTimeout: visibilityTimeoutSeconds,
        AttributeNames: ['All'],
      }),
    );
    return (result.Messages ?? []).map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      md5OfBody: message.MD5OfBody ?? '',
      attributes: { ...(message.Attributes ?? {}) },
    }));
  }

  /** Deletes received messages, ten per call. */
  async deleteAll(queueUrl: string, receiptHandles: readonly string[]): Promise<void> {
    for (let i = 0; i < receiptHandles.length; i += 10) {
      await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: receiptHandles
            .slice(i, i + 10)
            .map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
        }),
      );
    }
  }
}
