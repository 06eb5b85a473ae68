import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../local/stack.ts';
import { evaluationIntervalSeconds, FEEDS, mappingSettings, topology } from '../../shared/topology.ts';
import { synth } from '../infra/synth.ts';

/** What the CDK template deploys for each feed, read from the template itself. */
function deployedSettings(): Record<string, Record<string, number>> {
  const { template } = synth();
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const out: Record<string, Record<string, number>> = {};
  for (const feed of FEEDS) {
    const worker = topology.workers[feed].name.replaceAll('-', '');
    const mapping = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::EventSourceMapping' && id.startsWith(worker),
    )?.[1].Properties;
    const queue = Object.entries(resources).find(
      ([id, r]) =>
        r.Type === 'AWS::SQS::Queue' && id.startsWith(feed.replaceAll('-', '')) && !id.includes('dlq'),
    )?.[1].Properties;
    if (!mapping || !queue) throw new Error(`no mapping or queue for ${feed} in the template`);
    out[feed] = {
      batchSize: Number(mapping.BatchSize),
      batchingWindowMs: Number(mapping.MaximumBatchingWindowInSeconds) * 1000,
      concurrency: Number((mapping.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency),
      visibilityTimeoutSeconds: Number(queue.VisibilityTimeout),
      maxReceiveCount: Number((queue.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount),
    };
  }
  return out;
}

const dataDir = mkdtempSync(join(tmpdir(), 'emc-topology-'));
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ dataDir, profile: 'deployed' });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('one topology manifest for AWS and the local stack', () => {
  it('gives the CDK stack and the local stack in its deployed profile the same worker and queue settings', async () => {
    const aws = deployedSettings();
    const sqs = new SQSClient({
      endpoint: stack.file.sqs,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    for (const feed of FEEDS) {
      const mapping = stack.mappings[feed].options;
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: stack.file.queues[feed]?.url,
          AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
        }),
      );
      const local = {
        batchSize: mapping.batchSize,
        batchingWindowMs: mapping.batchingWindowMs,
        concurrency: mapping.concurrency,
        visibilityTimeoutSeconds: Number(attributes.Attributes?.VisibilityTimeout),
        maxReceiveCount: Number(
          (JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}') as { maxReceiveCount: string })
            .maxReceiveCount,
        ),
      };
      expect(local, feed).toEqual(aws[feed]);
      expect(mapping.visibilityTimeoutSeconds, feed).toBe(aws[feed]?.visibilityTimeoutSeconds);
    }
    expect(aws['dossier-events']).toEqual({
      batchSize: 100,
      batchingWindowMs: 5000,
      concurrency: 10,
      visibilityTimeoutSeconds: 360,
      maxReceiveCount: 5,
    });
  });

  it('schedules the evaluation at the manifest’s interval in AWS, and every minute on one machine', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: `rate(${topology.evaluation.everyMinutes} minutes)`,
    });
    expect(evaluationIntervalSeconds('deployed')).toBe(topology.evaluation.everyMinutes * 60);
    expect(evaluationIntervalSeconds('deployed')).toBeGreaterThanOrEqual(topology.evaluation.timeoutSeconds);
    expect(evaluationIntervalSeconds('local')).toBe(60);
  });

  it('runs one machine’s profile by default: the same batch sizes, fewer invocations, quicker retries', () => {
    for (const feed of FEEDS) {
      const local = mappingSettings(feed, 'local');
      const deployed = mappingSettings(feed, 'deployed');
      expect(local.batchSize).toBe(deployed.batchSize);
      expect(local.maxReceiveCount).toBe(deployed.maxReceiveCount);
      expect(local.concurrency).toBeLessThan(deployed.concurrency);
      expect(local.visibilityTimeoutSeconds).toBe(10);
      expect(local.batchingWindowMs).toBe(500);
    }
  });
});
