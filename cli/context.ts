import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { type Clock, parseStartTime, ShiftedClock, systemClock } from '../shared/config/clock.ts';
import { ENV } from '../shared/config/env-names.ts';
import { localEnvironment, stackFileSchema } from '../shared/config/local-stack.ts';
import { FEED_OUTPUT_STEM, FEEDS } from '../shared/topology.ts';

export interface Target {
  kind: 'local' | 'aws';
  url: string;
  tables: { state: string; keys: string };
  bucket: string;
  queues: Record<string, { url: string; dlqUrl: string }>;
  /** The one clock of this command: `--now`, else `EMC_NOW`, else the local stack's, else the real time. */
  clock: Clock;
  /** The deployed compliance-alert topic (`--aws`); locally alerts go to the stack's alert log. */
  alertTopicArn?: string;
  /** The local stack's data directory. */
  dataDir?: string;
}

/** CDK outputs (`cdk deploy --outputs-file`) of a deployed stack: what the CLI needs to work against AWS. */
const outputsSchema = z.record(
  z.string(),
  z
    .object({
      ApiUrl: z.string(),
      StateTable: z.string(),
      KeysTable: z.string(),
      DataBucket: z.string(),
      KeyPepperSecretId: z.string(),
      AlertTopicArn: z.string().optional(),
    })
    .catchall(z.unknown()),
);

/** Each feed's queue and DLQ URLs, under the output names the stack gives them (shared/topology.ts). */
function feedQueues(outputs: Record<string, unknown>, path: string): Target['queues'] {
  const queues: Target['queues'] = {};
  for (const feed of FEEDS) {
    const url = outputs[`${FEED_OUTPUT_STEM[feed]}QueueUrl`];
    const dlqUrl = outputs[`${FEED_OUTPUT_STEM[feed]}DlqUrl`];
    if (typeof url !== 'string' || typeof dlqUrl !== 'string')
      throw new CliError(
        `${path} lacks ${FEED_OUTPUT_STEM[feed]}QueueUrl or ${FEED_OUTPUT_STEM[feed]}DlqUrl`,
      );
    queues[feed] = { url, dlqUrl };
  }
  return queues;
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

/**
 * Finds the stack to work against and points the AWS SDK at it: the running local stack (through
 * EMC_DATA_DIR, as `npm start` writes it) by default, or a deployed stack with `--aws` and EMC_OUTPUTS.
 */
export function connect(aws: boolean, now?: string): Target {
  const startAt = now ?? process.env[ENV.now];
  const chosen = startAt
    ? ShiftedClock.startingAt(parseStartTime(startAt, now ? '--now' : ENV.now)).now
    : undefined;
  if (aws) {
    const path = process.env[ENV.outputs] ?? 'cdk-outputs.json';
    if (!existsSync(path))
      throw new CliError(
        `--aws needs the stack's outputs: cdk deploy --outputs-file ${path}, or set EMC_OUTPUTS`,
      );
    const outputs = Object.values(outputsSchema.parse(JSON.parse(readFileSync(path, 'utf8'))))[0];
    if (!outputs) throw new CliError(`${path} holds no stack outputs`);
    process.env[ENV.keyPepperSecretId] = outputs.KeyPepperSecretId;
    return {
      kind: 'aws',
      url: outputs.ApiUrl.replace(/\/$/, ''),
      tables: { state: outputs.StateTable, keys: outputs.KeysTable },
      bucket: outputs.DataBucket,
      ...(outputs.AlertTopicArn ? { alertTopicArn: outputs.AlertTopicArn } : {}),
      queues: feedQueues(outputs, path),
      clock: chosen ?? systemClock,
    };
  }
  const dataDir = resolve(process.env[ENV.dataDir] ?? '.emc');
  const path = join(dataDir, 'stack.json');
  if (!existsSync(path))
    throw new CliError(`No local stack is running for ${dataDir}. Start it with: npm start`);
  const file = stackFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  Object.assign(process.env, localEnvironment(file, dataDir));
  return {
    kind: 'local',
    url: file.url,
    tables: file.tables,
    bucket: file.bucket,
    queues: file.queues,
    clock: chosen ?? new ShiftedClock(file.clockOffsetMs).now,
    dataDir,
  };
}
