import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FEEDS, QUEUE_URL_ENV } from '../topology.ts';
import { ENV } from './env-names.ts';

/**
 * What the local stack (`npm start`) and the CLI that works against it share: the file the stack writes
 * into its data directory, and the environment that points every AWS SDK client at the local servers. It
 * lives here, not in local/ or cli/, so neither front end imports the other.
 */

export const BUCKET = 'emc-local';
export const REGION = 'ap-southeast-1';
/** s3rver accepts exactly these; DynamoDB Local and local-aws-sqs accept any. */
export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export const stackFileSchema = z.object({
  pid: z.number(),
  url: z.string(),
  dynamodb: z.string(),
  s3: z.string(),
  sqs: z.string(),
  bucket: z.string(),
  tables: z.object({ state: z.string(), keys: z.string(), rate: z.string().optional() }),
  queues: z.record(z.string(), z.object({ url: z.string(), dlqUrl: z.string() })),
  /** The stack's clock is the real time plus this; the CLI follows it, so both agree on "now". */
  clockOffsetMs: z.number().default(0),
});
export type StackFile = z.infer<typeof stackFileSchema>;

/** The pepper that API keys are hashed with on this machine, made once and kept in the data directory. */
export function localPepper(dataDir: string): string {
  const path = join(dataDir, 'key-pepper');
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

/** Points every AWS SDK client in this process at the local servers; handlers read nothing else. */
export function localEnvironment(
  file: Omit<StackFile, 'pid' | 'url' | 'clockOffsetMs'>,
  dataDir: string,
): Record<string, string> {
  return {
    [ENV.awsRegion]: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: file.dynamodb,
    AWS_ENDPOINT_URL_S3: file.s3,
    AWS_ENDPOINT_URL_SQS: file.sqs,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    [ENV.sdkNodeVersionWarningDisabled]: 'true',
    [ENV.s3PathStyle]: 'true',
    [ENV.keysTable]: file.tables.keys,
    ...(file.tables.rate ? { [ENV.rateTable]: file.tables.rate } : {}),
    [ENV.stateTable]: file.tables.state,
    [ENV.archiveBucket]: file.bucket,
    [ENV.snapshotBucket]: file.bucket,
    ...Object.fromEntries(FEEDS.map((feed) => [QUEUE_URL_ENV[feed], file.queues[feed]?.url ?? ''])),
    [ENV.localKeyPepper]: localPepper(dataDir),
    [ENV.powertoolsMetricsDisabled]: 'true',
    [ENV.powertoolsLogLevel]: process.env[ENV.powertoolsLogLevel] ?? 'WARN',
  };
}
