import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsQueueAdmin } from '../shared/adapters/sqs-queue-admin.ts';
import { lambdaContext } from './lambda-context.ts';

export interface MappingOptions {
  queueUrl: string;
  queueArn: string;
  /** Most records handed to one invocation. */
  batchSize: number;
  /** How long to keep gathering records before invoking with a partial batch. */
  batchingWindowMs: number;
  /** Seconds a received record stays hidden; a record that fails reappears after it. */
  visibilityTimeoutSeconds: number;
  /** Invocations running at once for this queue. */
  concurrency: number;
  functionName: string;
  /** True after an invocation abandons its result, as when its process dies before answering. */
  abandon?: () => boolean;
}

export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

/**
 * What Lambda's SQS event-source mapping does, on one machine: long-poll, gather a batch (size and window),
 * invoke the real handler, delete the records it did not report as failed, and leave failed ones to
 * reappear after the visibility timeout. When the handler throws, the whole batch is left. The queue's
 * redrive policy moves a record to its DLQ after maxReceiveCount receives.
 */
export class EventSourceMapping {
  private running = false;
  private loops: Promise<void>[] = [];
  invocations = 0;
  records = 0;
  failures = 0;
  /** Invocations whose result was thrown away (see MappingOptions.abandon). */
  abandoned = 0;
  /** Records received and not yet settled (deleted, or left to reappear); zero when the mapping is idle. */
  inFlight = 0;
  /** Invocations running now, and the most that ran at once: at most `concurrency`. */
  invoking = 0;
  peakInvoking = 0;

  constructor(
    private readonly sqs: SqsQueueAdmin,
    private readonly handler: SqsLambda,
    readonly options: MappingOptions,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async gather(): Promise<SQSRecord[]> {
    const records: SQSRecord[] = [];
    let deadline = Number.POSITIVE_INFINITY;
    const seen = new Set<string>();
    while (this.running && records.length < this.options.batchSize) {
      // Short polls only: local-aws-sqs 2.0.2, when long-polling for more than one message, returns the same
      // message several times in one response and counts every copy as a receive, which would send records to
      // the DLQ early. Short polls with a pause when idle behave like SQS.
      const messages = await this.sqs.receive(
        this.options.queueUrl,
        this.options.batchSize - records.length,
        this.options.visibilityTimeoutSeconds,
      );
      for (const message of messages) {
        const id = message.messageId;
        if (seen.has(id)) continue;
        seen.add(id);
        if (records.length === 0) deadline = Date.now() + this.options.batchingWindowMs;
        records.push({
          messageId: id,
          receiptHandle: message.receiptHandle,
          body: message.body,
          attributes: {
            ApproximateReceiveCount: message.attributes.ApproximateReceiveCount ?? '1',
            SentTimestamp: message.attributes.SentTimestamp ?? String(Date.now()),
            SenderId: message.attributes.SenderId ?? 'local',
            ApproximateFirstReceiveTimestamp:
              message.attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: message.md5OfBody,
          eventSource: 'aws:sqs',
          eventSourceARN: this.options.queueArn,
          awsRegion: 'local',
        });
      }
      const empty = messages.length === 0;
      if (records.length === 0) {
        if (empty) await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (Date.now() >= deadline) break;
      if (empty) await new Promise((resolve) => setTimeout(resolve, Math.min(50, deadline - Date.now())));
    }
    return records;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let records: SQSRecord[] = [];
      try {
        records = await this.gather();
        if (records.length === 0) continue;
        this.inFlight += records.length;
        this.invocations++;
        this.records += records.length;
        await this.settle(records, await this.invoke(records));
      } catch (error) {
        if (this.running) {
          this.onError(error);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      } finally {
        this.inFlight -= records.length;
      }
    }
  }

  /** The ids the handler reported as failed; all of them when it threw. */
  private async invoke(records: SQSRecord[]): Promise<Set<string>> {
    this.invoking++;
    this.peakInvoking = Math.max(this.peakInvoking, this.invoking);
    try {
      const response = await this.handler({ Records: records }, lambdaContext(this.options.functionName));
      if (this.options.abandon?.()) {
        this.abandoned++;
        return new Set(records.map((record) => record.messageId));
      }
      return new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      this.onError(error);
      return new Set(records.map((record) => record.messageId));
    } finally {
      this.invoking--;
    }
  }

  /** Deletes what succeeded; failed records reappear after their visibility timeout. */
  private async settle(records: SQSRecord[], failed: Set<string>): Promise<void> {
    this.failures += failed.size;
    const done = records.filter((record) => !failed.has(record.messageId));
    await this.sqs.deleteAll(
      this.options.queueUrl,
      done.map((record) => record.receiptHandle),
    );
  }
}
