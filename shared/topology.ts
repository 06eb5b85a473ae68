/**
 * The one description of what runs where: each function, what triggers it, which queue it reads or writes,
 * its batch settings and the environment variables it is given. The CDK stack (`infra/`) and the local stack
 * (`local/`) both read this file, so batch size, concurrency, batching window and visibility timeout cannot
 * drift between AWS and one machine. Plain data only: no AWS SDK, no CDK.
 */

import { ENV, QUEUE_URL_ENV } from './config/env-names.ts';
import type { Feed } from './schemas/queue.ts';

export { QUEUE_URL_ENV } from './config/env-names.ts';

/** The feeds are the queue contract's (`shared/schemas/queue.ts`); the manifest says where each one runs. */
export type TopologyFeed = Feed;

export const FEEDS: readonly TopologyFeed[] = ['dossier-events', 'heartbeats', 'reports'];

export interface IngestFunction {
  /** Entry file under functions/, and the function's name. */
  name: string;
  trigger: { kind: 'http'; method: 'GET' | 'POST' | 'PUT'; path: string };
  /** Requests per second at the stage for this route; the burst is twice this. */
  rateLimit: number;
  /** The queue it sends to, if any. */
  sendsTo?: TopologyFeed;
  /** Reads the calling unit's own published status and refusal log (`GET /v1/me`). */
  describesOwnUnit?: true;
  memoryMb: number;
  timeoutSeconds: number;
  env: readonly string[];
}

export interface WorkerFunction {
  name: string;
  trigger: { kind: 'sqs'; feed: TopologyFeed };
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** The event-source mapping's maximum concurrency: invocations at once for this queue. */
  maxConcurrency: number;
  /**
   * Invocations at once when one machine runs the stack (`npm start`). `startStack({ profile: 'deployed' })`
   * runs at `maxConcurrency` instead, as a test does to exercise transaction conflicts.
   */
  localConcurrency: number;
  timeoutSeconds: number;
  memoryMb: number;
  /** Receives after which a record moves to the feed's DLQ. */
  maxReceiveCount: number;
  env: readonly string[];
}

export interface ScheduledFunction {
  name: string;
  trigger: { kind: 'schedule' };
  /** Minutes between runs when deployed (`cdk -c evaluateEveryMinutes=…` overrides it); never below the timeout. */
  everyMinutes: number;
  timeoutSeconds: number;
  memoryMb: number;
  env: readonly string[];
}

export interface DailyFunction {
  name: string;
  trigger: { kind: 'daily' };
  /** Hour and minute of the Vietnam day (UTC+7) the run starts at. */
  atVietnamTime: { hour: number; minute: number };
  /** Closed days before yesterday that each run compacts again, for late batches. */
  lookbackDays: number;
  timeoutSeconds: number;
  memoryMb: number;
  env: readonly string[];
}

/** The stem of each feed's stack outputs (`<stem>QueueUrl`, `<stem>DlqUrl`), which the CLI reads back. */
export const FEED_OUTPUT_STEM = {
  'dossier-events': 'DossierEvents',
  heartbeats: 'Heartbeats',
  reports: 'Reports',
} as const satisfies Record<TopologyFeed, string>;

/** Lambda's SQS guidance: a queue's visibility timeout is at least six times its consumer's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Keys to authenticate; the state table for the registry (warnings) and the refusal log. */
const AUTHENTICATED_ENV = [ENV.keysTable, ENV.keyPepperSecretId, ENV.stateTable] as const;
/** … and the shared per-unit rate windows. */
const INGEST_ENV = [...AUTHENTICATED_ENV, ENV.rateTable] as const;

export const topology = {
  ingest: [
    {
      name: 'ingest-dossier-events',
      trigger: { kind: 'http', method: 'POST', path: '/v1/dossier-events' },
      rateLimit: 200,
      sendsTo: 'dossier-events',
      memoryMb: 1024,
      timeoutSeconds: 10,
      env: [...INGEST_ENV, QUEUE_URL_ENV['dossier-events']],
    },
    {
      name: 'ingest-legacy-emc',
      trigger: { kind: 'http', method: 'POST', path: '/v1/compat/emc/{siteKey}/TrackingMCDT' },
      rateLimit: 500,
      sendsTo: 'dossier-events',
      memoryMb: 1024,
      timeoutSeconds: 10,
      env: [...INGEST_ENV, QUEUE_URL_ENV['dossier-events']],
    },
    {
      name: 'ingest-heartbeats',
      trigger: { kind: 'http', method: 'POST', path: '/v1/heartbeats' },
      rateLimit: 100,
      sendsTo: 'heartbeats',
      memoryMb: 1024,
      timeoutSeconds: 10,
      env: [...INGEST_ENV, QUEUE_URL_ENV.heartbeats],
    },
    {
      name: 'ingest-catalog',
      trigger: { kind: 'http', method: 'PUT', path: '/v1/catalog' },
      rateLimit: 5,
      sendsTo: 'reports',
      memoryMb: 1024,
      timeoutSeconds: 10,
      env: [...INGEST_ENV, QUEUE_URL_ENV.reports],
    },
    {
      name: 'ingest-daily-totals',
      trigger: { kind: 'http', method: 'POST', path: '/v1/daily-totals' },
      rateLimit: 5,
      sendsTo: 'reports',
      memoryMb: 1024,
      timeoutSeconds: 10,
      env: [...INGEST_ENV, QUEUE_URL_ENV.reports],
    },
    {
      name: 'describe-own-unit',
      trigger: { kind: 'http', method: 'GET', path: '/v1/me' },
      rateLimit: 20,
      describesOwnUnit: true,
      memoryMb: 1024,
      timeoutSeconds: 10,
      env: [...AUTHENTICATED_ENV, ENV.snapshotBucket, ENV.evaluateEveryMinutes],
    },
    {
      name: 'health',
      trigger: { kind: 'http', method: 'GET', path: '/v1/health' },
      rateLimit: 20,
      memoryMb: 128,
      timeoutSeconds: 30,
      env: [],
    },
  ],
  workers: {
    'dossier-events': {
      name: 'count-dossier-events',
      trigger: { kind: 'sqs', feed: 'dossier-events' },
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      maxConcurrency: 10,
      localConcurrency: 2,
      timeoutSeconds: 60,
      memoryMb: 1024,
      maxReceiveCount: 5,
      env: [ENV.stateTable, ENV.archiveBucket],
    },
    heartbeats: {
      name: 'record-heartbeats',
      trigger: { kind: 'sqs', feed: 'heartbeats' },
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      maxConcurrency: 10,
      localConcurrency: 1,
      timeoutSeconds: 60,
      memoryMb: 512,
      maxReceiveCount: 5,
      env: [ENV.stateTable],
    },
    reports: {
      name: 'store-unit-reports',
      trigger: { kind: 'sqs', feed: 'reports' },
      batchSize: 10,
      maxBatchingWindowSeconds: 5,
      maxConcurrency: 10,
      localConcurrency: 1,
      timeoutSeconds: 60,
      memoryMb: 512,
      maxReceiveCount: 5,
      env: [ENV.stateTable],
    },
  },
  evaluation: {
    name: 'evaluate-compliance',
    trigger: { kind: 'schedule' },
    everyMinutes: 15,
    timeoutSeconds: 300,
    memoryMb: 2048,
    env: [ENV.stateTable, ENV.snapshotBucket, ENV.alertTopicArn, ENV.evaluateEveryMinutes],
  },
  /**
   * Once a day after Vietnam midnight: each unit's closed day of raw archive objects into one object, so that
   * busy units' objects reach the size the lifecycle rule moves to Infrequent Access and Glacier. The lookback
   * covers the latest a batch can be archived into a closed day: a message kept 4 days in its queue and 14 in
   * its DLQ before a redrive. A day already one object costs one listing to look at again.
   */
  compaction: {
    name: 'compact-archive',
    trigger: { kind: 'daily' },
    atVietnamTime: { hour: 0, minute: 30 },
    lookbackDays: 18,
    timeoutSeconds: 900,
    memoryMb: 2048,
    env: [ENV.archiveBucket],
  },
} as const satisfies {
  ingest: readonly IngestFunction[];
  workers: Record<TopologyFeed, WorkerFunction>;
  evaluation: ScheduledFunction;
  compaction: DailyFunction;
};

export type IngestFunctionName = (typeof topology.ingest)[number]['name'];

/** A feed queue's visibility timeout, derived from its worker's timeout. */
export function visibilityTimeoutSeconds(feed: TopologyFeed): number {
  return topology.workers[feed].timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR;
}

/**
 * How one machine runs the workers by default (`npm start`, the e2e suite): fewer concurrent invocations, a
 * short batching window and a short visibility timeout, so that a retried record comes back in seconds. The
 * `deployed` profile runs the local stack with exactly the AWS settings above.
 */
export const LOCAL_PROFILE = {
  batchingWindowSeconds: 0.5,
  visibilityTimeoutSeconds: 10,
  /** `npm start` evaluates every minute, so a demo shows changes at once (EMC_EVALUATE_EVERY overrides it). */
  evaluateEverySeconds: 60,
} as const;

export type RunProfile = 'deployed' | 'local';

export interface MappingSettings {
  batchSize: number;
  batchingWindowMs: number;
  concurrency: number;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

/** A feed's event-source mapping and queue settings under a profile; the local stack reads only this. */
export function mappingSettings(feed: TopologyFeed, profile: RunProfile): MappingSettings {
  const worker: WorkerFunction = topology.workers[feed];
  const deployed = profile === 'deployed';
  return {
    batchSize: worker.batchSize,
    batchingWindowMs:
      (deployed ? worker.maxBatchingWindowSeconds : LOCAL_PROFILE.batchingWindowSeconds) * 1000,
    concurrency: deployed ? worker.maxConcurrency : worker.localConcurrency,
    visibilityTimeoutSeconds: deployed
      ? visibilityTimeoutSeconds(feed)
      : LOCAL_PROFILE.visibilityTimeoutSeconds,
    maxReceiveCount: worker.maxReceiveCount,
  };
}

/** Seconds between scheduled evaluations under a profile. */
export function evaluationIntervalSeconds(profile: RunProfile): number {
  return profile === 'deployed' ? topology.evaluation.everyMinutes * 60 : LOCAL_PROFILE.evaluateEverySeconds;
}
