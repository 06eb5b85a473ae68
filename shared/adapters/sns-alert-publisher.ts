import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Alert, AlertPort } from '../domain/evaluation/ports.ts';
import { CLIENT_DEFAULTS } from './client-config.ts';

const sns = new SNSClient(CLIENT_DEFAULTS);

/** The clients an alert publisher is built with, named here so that its callers import no SDK. */
export type AlertArchiveClient = S3Client;
export type AlertTopicClient = SNSClient;

/** Archives every alert as JSON under `alerts/` before it goes out, so the record never depends on delivery. */
async function archive(client: S3Client, bucket: string, alert: Alert): Promise<void> {
  const day = new Date(alert.createdAt).toISOString().slice(0, 10);
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `alerts/${day}/${alert.alertId}.json`,
      Body: JSON.stringify(alert),
      ContentType: 'application/json',
    }),
  );
}

/** Compliance alerts to the ministry's SNS topic: the text for people (Vietnamese first), then the JSON. */
export class SnsAlertPublisher implements AlertPort {
  constructor(
    private readonly topicArn: string,
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly client: SNSClient = sns,
  ) {}

  async publish(alert: Alert): Promise<void> {
    await archive(this.s3, this.bucket, alert);
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: alert.subject.slice(0, 100),
        Message: `${alert.text}\n\n--- JSON ---\n${JSON.stringify(alert.data, null, 2)}`,
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: alert.kind },
          ...(alert.unitCode ? { unitCode: { DataType: 'String', StringValue: alert.unitCode } } : {}),
        },
      }),
    );
  }
}

/** On one machine there is no SNS: alerts are archived to S3 and handed to a local sink (the console, a file). */
export class LocalAlertPublisher implements AlertPort {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly sink: (alert: Alert) => void,
  ) {}

  async publish(alert: Alert): Promise<void> {
    await archive(this.s3, this.bucket, alert);
    this.sink(alert);
  }
}
