import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { SnsAlertPublisher } from '../adapters/alerts.ts';
import { DynamoDossierStore } from '../adapters/dynamo-dossier-store.ts';
import { DynamoEvaluationReader } from '../adapters/dynamo-evaluation-reader.ts';
import { DynamoLease } from '../adapters/dynamo-lease.ts';
import { DynamoRegistry } from '../adapters/dynamo-registry.ts';
import { DynamoStatusStore } from '../adapters/dynamo-status-store.ts';
import { S3SnapshotPublisher } from '../adapters/s3-snapshots.ts';
import { type Clock, processClock } from '../config/clock.ts';
import { readEnv } from '../config/env.ts';
import { type Settings, settings } from '../config/settings.ts';
import type { EvaluationDeps } from '../domain/evaluation/evaluate.ts';
import type { LeasePort } from '../domain/evaluation/lease.ts';
import type { AlertPort } from '../domain/evaluation/ports.ts';

export const evaluationEnvSchema = z.object({
  STATE_TABLE: z.string().min(3),
  SNAPSHOT_BUCKET: z.string().min(3),
  ALERT_TOPIC_ARN: z.string().min(1).optional(),
});

/** Everything an evaluation needs but the clock; the Lambda and the local runtime each add their own alerts. */
export function evaluationDeps(
  env: z.infer<typeof evaluationEnvSchema>,
  alerts: (s3: S3Client) => AlertPort,
  clients: { s3?: S3Client } = {},
  clock: Clock = processClock(),
): Omit<EvaluationDeps, 'at' | 'now'> & { config: Settings } {
  const s3 = clients.s3 ?? new S3Client({ forcePathStyle: process.env.EMC_S3_PATH_STYLE === 'true' });
  const dossiers = new DynamoDossierStore(env.STATE_TABLE, undefined, undefined, undefined, clock);
  return {
    config: settings(),
    registry: new DynamoRegistry(env.STATE_TABLE),
    reader: new DynamoEvaluationReader(env.STATE_TABLE, dossiers),
    statuses: new DynamoStatusStore(env.STATE_TABLE),
    alerts: alerts(s3),
    snapshots: new S3SnapshotPublisher(env.SNAPSHOT_BUCKET, s3),
  };
}

export function lambdaEvaluationDeps(): Omit<EvaluationDeps, 'at' | 'now'> {
  const env = readEnv(evaluationEnvSchema.extend({ ALERT_TOPIC_ARN: z.string().min(1) }));
  return evaluationDeps(env, (s3) => new SnsAlertPublisher(env.ALERT_TOPIC_ARN, s3, env.SNAPSHOT_BUCKET));
}

/** The lease that keeps scheduled and manual evaluations from overlapping, whatever the account's quota. */
export function lambdaEvaluationLease(): LeasePort {
  const env = readEnv(evaluationEnvSchema.pick({ STATE_TABLE: true }));
  return new DynamoLease(env.STATE_TABLE, 'evaluate-compliance');
}
