import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Target } from '../../cli/context.ts';
import { evaluationAlerts } from '../../cli/evaluate-alerts.ts';
import type { Alert } from '../../shared/domain/evaluation/ports.ts';

const alert: Alert = {
  alertId: 'a-1',
  kind: 'status_change',
  unitCode: 'H48',
  createdAt: Date.parse('2026-11-23T03:00:00Z'),
  subject: 'H48: Kết nối đầy đủ / Fully connected',
  text: 'H48 …',
  data: { to: 'connected' },
};
const target = (overrides: Partial<Target>): Target => ({
  kind: 'aws',
  url: 'https://api.example',
  tables: { state: 'state', keys: 'keys' },
  bucket: 'data',
  queues: {},
  clock: () => Date.parse('2026-11-23T03:00:00Z'),
  ...overrides,
});

const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
afterEach(() => {
  s3.reset();
  sns.reset();
});

describe('emc evaluate sends alerts where the scheduled run would', () => {
  it('publishes to the deployed topic with --aws, after archiving the alert', async () => {
    s3.on(PutObjectCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const publisher = evaluationAlerts(
      target({ alertTopicArn: 'arn:aws:sns:ap-southeast-1:1:alerts' }),
      new S3Client({}),
      new SNSClient({}),
    );
    await publisher.publish(alert);
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn)).toEqual([
      'arn:aws:sns:ap-southeast-1:1:alerts',
    ]);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'alerts/2026-11-23/a-1.json',
    ]);
  });

  it('refuses to run against AWS without the topic rather than drain alerts elsewhere', () => {
    expect(() => evaluationAlerts(target({}), new S3Client({}), new SNSClient({}))).toThrow('AlertTopicArn');
  });

  it('writes to the local stack’s alert log locally, never to SNS', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emc-alerts-'));
    try {
      s3.on(PutObjectCommand).resolves({});
      const publisher = evaluationAlerts(
        target({ kind: 'local', dataDir }),
        new S3Client({}),
        new SNSClient({}),
      );
      await publisher.publish(alert);
      expect(readFileSync(join(dataDir, 'alerts.log'), 'utf8')).toContain('Fully connected');
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
