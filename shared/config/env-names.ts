import type { Feed } from '../schemas/queue.ts';

/**
 * Every environment variable the project reads or sets, spelled once. The topology lists which function is
 * given which; the CDK constructs, the local stack, the runtime's schemas and the CLI all take the names from
 * here. Plain data, importable from anywhere (infra/ included).
 */
export const ENV = {
  /** The state table: dossiers, counters, registry, statuses, holds. */
  stateTable: 'STATE_TABLE',
  keysTable: 'KEYS_TABLE',
  /** The shared per-unit rate windows; without it each instance limits on its own. */
  rateTable: 'RATE_TABLE',
  snapshotBucket: 'SNAPSHOT_BUCKET',
  archiveBucket: 'ARCHIVE_BUCKET',
  alertTopicArn: 'ALERT_TOPIC_ARN',
  /** The key pepper's secret in AWS Secrets Manager. */
  keyPepperSecretId: 'KEY_PEPPER_SECRET_ID',
  /** The key pepper itself, on the local stack only. */
  localKeyPepper: 'EMC_KEY_PEPPER',
  /** `true` where S3 is addressed by path (s3rver), not by virtual host. */
  s3PathStyle: 'EMC_S3_PATH_STYLE',
  /** A start time for the one clock: it runs from then. */
  now: 'EMC_NOW',
  /** Where the local stack and the CLI keep their state (default `.emc`). */
  dataDir: 'EMC_DATA_DIR',
  /** The CDK outputs file the CLI reads with `--aws`. */
  outputs: 'EMC_OUTPUTS',
  /** Seconds between the local stack's evaluations. */
  evaluateEvery: 'EMC_EVALUATE_EVERY',
  /**
   * Minutes between the deployed evaluations, given to the functions whose rules depend on it (the heartbeat's
   * grace covers two intervals); absent, the topology's default.
   */
  evaluateEveryMinutes: 'EMC_EVALUATE_EVERY_MINUTES',
  /** `0` starts the local stack without the living demo. */
  demo: 'EMC_DEMO',
  port: 'PORT',
  powertoolsServiceName: 'POWERTOOLS_SERVICE_NAME',
  powertoolsMetricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  powertoolsMetricsDisabled: 'POWERTOOLS_METRICS_DISABLED',
  powertoolsLogLevel: 'POWERTOOLS_LOG_LEVEL',
  /** Set by the platforms themselves; named here so nothing else spells them. */
  awsRegion: 'AWS_REGION',
  lambdaFunctionName: 'AWS_LAMBDA_FUNCTION_NAME',
  sdkNodeVersionWarningDisabled: 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  nodeOptions: 'NODE_OPTIONS',
  cdkDefaultAccount: 'CDK_DEFAULT_ACCOUNT',
} as const;

/** The environment variable that carries each feed's queue URL to the functions that send to it. */
export const QUEUE_URL_ENV = {
  'dossier-events': 'DOSSIER_EVENTS_QUEUE_URL',
  heartbeats: 'HEARTBEATS_QUEUE_URL',
  reports: 'REPORTS_QUEUE_URL',
} as const satisfies Record<Feed, string>;
