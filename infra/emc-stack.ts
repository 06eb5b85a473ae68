import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, TimeZone } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Dashboard, GraphWidget, Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Schedule, ScheduleExpression, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config/env-names.ts';
import {
  FEED_OUTPUT_STEM,
  FEEDS,
  QUEUE_URL_ENV,
  type TopologyFeed,
  topology,
  visibilityTimeoutSeconds,
} from '../shared/topology.ts';
import { EmcAlarms } from './alarms.ts';
import { EmcFunction } from './emc-function.ts';
import { PrefixScopedS3Origin } from './snapshots-origin.ts';
import { EmcTopics } from './topics.ts';

export type StageName = 'dev' | 'prod';

export interface EmcStackProps extends StackProps {
  stage: StageName;
  alertEmails: string[];
  operatorEmails: string[];
  /** Minutes between evaluations; never shorter than the evaluation's timeout. */
  evaluateEveryMinutes: number;
  /** The built dashboard (`npm run build:site`); the stack refuses to synthesise without its index.html. */
  siteDir?: string;
}

type Feed = TopologyFeed;

/** A stack setting that cannot deploy; synthesis stops with the setting named. */
export class StackSettingError extends Error {
  override readonly name = 'StackSettingError';
}

/** The evaluation's timeout; an interval shorter than this would start a run before the last could end. */
export const EVALUATION_TIMEOUT_MINUTES = topology.evaluation.timeoutSeconds / 60;

/**
 * What the HTTP API logs per request. Only HTTP API variables (REST API ones such as `resourcePath` are empty
 * here), and never `$context.path`: the legacy route carries the unit's site key in its path. `routeKey` names
 * the route template instead.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLatency: '$context.responseLatency',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
  errorResponseType: '$context.error.responseType',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
} as const;

/** How long the raw archive (the input of `emc rebuild`) is kept. */
export const RAW_RETENTION_DAYS = { prod: 3 * 365, dev: 30 } as const;
/** The smallest object S3 moves to Infrequent Access or Glacier (it bills smaller ones as 128 KB there). */
export const RAW_TRANSITION_MIN_BYTES = 128 * 1024;
/** Every run's dated snapshot is kept this long; after it, only the daily copies remain. */
export const DATED_SNAPSHOT_DAYS = 30;
export const DAILY_SNAPSHOT_DAYS = { prod: 730, dev: 30 } as const;

const DEFAULT_SITE_DIR = fileURLToPath(new URL('../site/dist', import.meta.url));

/**
 * Everything the local stack emulates, in AWS: the ingest API, one queue per feed with its DLQ, the workers,
 * the tables, the data bucket and the site behind CloudFront, the scheduled evaluation, the compliance-alert
 * topic, the key-hashing secret, alarms and a dashboard.
 */
export class EmcStack extends Stack {
  constructor(scope: Construct, id: string, props: EmcStackProps) {
    super(scope, id, props);
    if (props.evaluateEveryMinutes < EVALUATION_TIMEOUT_MINUTES) {
      throw new StackSettingError(
        `evaluateEveryMinutes is ${props.evaluateEveryMinutes}: it must be at least the evaluation's timeout (${EVALUATION_TIMEOUT_MINUTES} minutes)`,
      );
    }
    const siteDir = props.siteDir ?? DEFAULT_SITE_DIR;
    if (!existsSync(join(siteDir, 'index.html'))) {
      throw new StackSettingError(
        `The dashboard is not built (no ${join(siteDir, 'index.html')}): run npm run build:site before cdk deploy`,
      );
    }
    const prod = props.stage === 'prod';
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = prod ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH;
    const fnDefaults = { logRetention, removalPolicy };

    // Storage
    const state = new TableV2(this, 'State', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy,
    });
    // Per-unit request counts per second, shared by every ingest instance (docs/deploy.md, rate limits).
    const rateWindows = new TableV2(this, 'RateWindows', {
      partitionKey: { name: 'window', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy,
    });
    const keys = new TableV2(this, 'Keys', {
      partitionKey: { name: 'prefix', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy,
      globalSecondaryIndexes: [
        {
          indexName: 'byUnit',
          partitionKey: { name: 'unitCode', type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        },
      ],
    });
    const bucketDefaults = {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy,
      autoDeleteObjects: !prod,
    };
    const accessLogs = new Bucket(this, 'AccessLogs', {
      ...bucketDefaults,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(prod ? 365 : 30) }],
    });
    const data = new Bucket(this, 'Data', {
      ...bucketDefaults,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: [
        // The worker archives one small object per unit and batch; the daily compaction merges each unit's closed
        // day into one object, so busy units' objects reach 128 KB. Those go to Infrequent Access after 30 days
        // and Glacier Instant Retrieval after 90 in prod; smaller ones stay in Standard, where a transition would
        // cost more than it saves. All are kept for the retention period only; compacted inputs, now noncurrent
        // versions, go after 30 days.
        {
          id: 'raw-archive',
          prefix: 'raw/',
          expiration: Duration.days(prod ? RAW_RETENTION_DAYS.prod : RAW_RETENTION_DAYS.dev),
          noncurrentVersionExpiration: Duration.days(30),
          ...(prod
            ? {
                objectSizeGreaterThan: RAW_TRANSITION_MIN_BYTES - 1,
                transitions: [
                  { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
                  {
                    storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
                    transitionAfter: Duration.days(90),
                  },
                ],
              }
            : {}),
        },
        // History thins after 30 days: every run's dated snapshot goes, one gzipped copy per day stays.
        { id: 'dated-snapshots', prefix: 'snapshots/20', expiration: Duration.days(DATED_SNAPSHOT_DAYS) },
        {
          id: 'daily-snapshots',
          prefix: 'snapshots/daily/',
          expiration: Duration.days(prod ? DAILY_SNAPSHOT_DAYS.prod : DAILY_SNAPSHOT_DAYS.dev),
          // Every run of the day overwrites the day's copy; the versions it replaces are not history.
          noncurrentVersionExpiration: Duration.days(1),
        },
        { id: 'old-versions', noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
    const site = new Bucket(this, 'Site', {
      ...bucketDefaults,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'site/',
    });

    // Secrets and topics
    const pepper = new Secret(this, 'KeyPepper', {
      description: 'Server secret that unit API keys are HMAC-hashed with',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    const topics = new EmcTopics(this, 'Topics', {
      alertEmails: props.alertEmails,
      operatorEmails: props.operatorEmails,
      removalPolicy,
    });
    const { complianceAlerts, operators } = topics;

    // Queues: visibility timeout 6 × the worker's timeout, as Lambda's SQS guidance asks (shared/topology.ts).
    const queues = {} as Record<Feed, { queue: Queue; dlq: Queue }>;
    for (const feed of FEEDS) {
      const dlq = new Queue(this, `${feed}-dlq`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy,
      });
      const queue = new Queue(this, feed, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(feed)),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: dlq, maxReceiveCount: topology.workers[feed].maxReceiveCount },
        removalPolicy,
      });
      queues[feed] = { queue, dlq };
    }

    // Ingest: one function and route per entry of the topology manifest.
    const ingestFunctions = topology.ingest.map((spec) => {
      const fn = new EmcFunction(this, spec.name, {
        entry: spec.name,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        ...fnDefaults,
      });
      if ('sendsTo' in spec) {
        fn.lookUpKeys(keys)
          .countRate(rateWindows)
          .readSecret(pepper)
          .readRegistryLogRefusals(state)
          .sendTo(queues[spec.sendsTo].queue, QUEUE_URL_ENV[spec.sendsTo]);
      }
      if ('describesOwnUnit' in spec) {
        fn.lookUpKeys(keys)
          .readSecret(pepper)
          .readState(state)
          .readObjects(data, ENV.snapshotBucket, 'snapshots/units/')
          .evaluatesEvery(props.evaluateEveryMinutes);
      }
      return { spec, fn };
    });
    const authenticated = ingestFunctions
      .filter(({ spec }) => 'sendsTo' in spec || 'describesOwnUnit' in spec)
      .map(({ fn }) => fn);

    const apiLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    const api = new HttpApi(this, 'Api', {
      description: 'EMC monitoring ingest API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.GET],
        allowHeaders: ['content-type'],
      },
    });
    const stage = api.addStage('default', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 500, burstLimit: 1000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(apiLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const { spec, fn } of ingestFunctions) {
      const routes = api.addRoutes({
        path: spec.trigger.path,
        methods: [HttpMethod[spec.trigger.method]],
        integration: new HttpLambdaIntegration(`${spec.name}-integration`, fn.fn),
      });
      routeSettings[`${spec.trigger.method} ${spec.trigger.path}`] = {
        ThrottlingRateLimit: spec.rateLimit,
        ThrottlingBurstLimit: spec.rateLimit * 2,
      };
      // The stage's RouteSettings name these routes, so CloudFormation must create them first.
      for (const route of routes) stage.node.addDependency(route);
    }
    (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeSettings);

    // Workers: batch settings from the topology manifest, shared with the local stack.
    const worker = (feed: Feed): EmcFunction => {
      const spec = topology.workers[feed];
      const fn = new EmcFunction(this, spec.name, {
        entry: spec.name,
        timeout: Duration.seconds(spec.timeoutSeconds),
        memorySize: spec.memoryMb,
        ...fnDefaults,
      }).readWriteState(state);
      fn.fn.addEventSource(
        new SqsEventSource(queues[feed].queue, {
          batchSize: spec.batchSize,
          maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
          maxConcurrency: spec.maxConcurrency,
        }),
      );
      return fn;
    };
    const countEvents = worker('dossier-events').writeObjects(data, ENV.archiveBucket, 'raw/');
    const recordHeartbeats = worker('heartbeats');
    const storeReports = worker('reports');

    // Evaluation: every few minutes; runs never overlap because each takes a lease in the state table until
    // its own deadline, which needs no reserved concurrency (new accounts have too little to reserve any).
    const evaluationSpec = topology.evaluation;
    const evaluate = new EmcFunction(this, evaluationSpec.name, {
      entry: evaluationSpec.name,
      timeout: Duration.seconds(evaluationSpec.timeoutSeconds),
      memorySize: evaluationSpec.memoryMb,
      ...fnDefaults,
    })
      .readWriteState(state)
      .writeObjects(data, ENV.snapshotBucket, 'snapshots/', 'alerts/')
      .publishTo(complianceAlerts)
      .evaluatesEvery(props.evaluateEveryMinutes);
    const interval = Duration.minutes(props.evaluateEveryMinutes);
    const evaluationDlq = new Queue(this, 'evaluation-dlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    // A failed run is not retried blindly (the next scheduled run starts from scratch); a run older than one
    // interval is dropped, since its successor is already due; either lands in the DLQ with its reason.
    evaluate.fn.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: interval,
      onFailure: new SqsDestination(evaluationDlq),
    });
    new Schedule(this, 'EvaluateSchedule', {
      description: 'Evaluate connection compliance and publish snapshots',
      schedule: ScheduleExpression.rate(interval),
      timeWindow: TimeWindow.off(),
      // Retries cover failing to hand the event to Lambda (throttling, errors of the invoke call), which never
      // starts a run twice; what cannot be handed over within one interval lands in the DLQ.
      target: new LambdaInvoke(evaluate.fn, {
        retryAttempts: 3,
        maxEventAge: interval,
        deadLetterQueue: evaluationDlq,
      }),
    });

    // Raw-archive compaction: once a day after Vietnam midnight, each unit's closed day into one object.
    const compactionSpec = topology.compaction;
    const compact = new EmcFunction(this, compactionSpec.name, {
      entry: compactionSpec.name,
      timeout: Duration.seconds(compactionSpec.timeoutSeconds),
      memorySize: compactionSpec.memoryMb,
      ...fnDefaults,
    }).compactObjects(data, ENV.archiveBucket, 'raw/');
    const compactionDlq = new Queue(this, 'compaction-dlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    // A run is safe to repeat, so a failed one is retried once; what is still undone a few hours on waits for
    // the next day's run, whose lookback covers it, and lands in the DLQ with its reason.
    const compactionAge = Duration.hours(6);
    compact.fn.configureAsyncInvoke({
      retryAttempts: 1,
      maxEventAge: compactionAge,
      onFailure: new SqsDestination(compactionDlq),
    });
    new Schedule(this, 'CompactArchiveSchedule', {
      description: 'Compact each unit’s closed day of raw archive objects into one object',
      schedule: ScheduleExpression.cron({
        hour: String(compactionSpec.atVietnamTime.hour),
        minute: String(compactionSpec.atVietnamTime.minute),
        timeZone: TimeZone.ASIA_HO_CHI_MINH,
      }),
      timeWindow: TimeWindow.off(),
      target: new LambdaInvoke(compact.fn, {
        retryAttempts: 3,
        maxEventAge: compactionAge,
        deadLetterQueue: compactionDlq,
      }),
    });

    // Site and snapshots behind one CloudFront distribution, both origins private (origin access control).
    const distribution = new Distribution(this, 'Cdn', {
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cdn/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(site),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      },
      additionalBehaviors: {
        'snapshots/*': {
          origin: new PrefixScopedS3Origin(data, 'snapshots/'),
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS,
        },
      },
    });
    new BucketDeployment(this, 'DeploySite', {
      sources: [Source.asset(siteDir)],
      destinationBucket: site,
      distribution,
      logGroup: new LogGroup(this, 'DeploySiteLogs', { retention: logRetention, removalPolicy }),
    });

    const functions = [...authenticated, countEvents, recordHeartbeats, storeReports, evaluate, compact];
    new EmcAlarms(this, 'Alarms', {
      stage: props.stage,
      operators,
      api,
      queues: FEEDS.map((feed) => ({ feed, ...queues[feed] })),
      functions,
      evaluation: evaluate,
      evaluationDlq,
      compaction: { fn: compact, dlq: compactionDlq },
      tables: [state, keys],
      evaluateEveryMinutes: props.evaluateEveryMinutes,
    });

    const evaluationMetric = (name: string, statistic: string, minutes: number): Metric =>
      new Metric({
        namespace: 'EMC',
        metricName: name,
        dimensionsMap: { service: evaluationSpec.name },
        statistic,
        period: Duration.minutes(minutes),
      });
    new Dashboard(this, 'Operations', {
      dashboardName: `emc-${props.stage}`,
      widgets: [
        [
          new TextWidget({
            markdown: '# EMC monitor\nIngest, queues, workers and evaluation. Runbooks: docs/deploy.md',
            width: 24,
            height: 2,
          }),
        ],
        [
          new GraphWidget({
            title: 'Ingest requests and errors',
            left: [api.metricCount(), api.metricClientError(), api.metricServerError()],
            width: 12,
          }),
          new GraphWidget({
            title: 'Queue depth',
            left: FEEDS.map((f) => queues[f].queue.metricApproximateNumberOfMessagesVisible()),
            right: FEEDS.map((f) => queues[f].dlq.metricApproximateNumberOfMessagesVisible()),
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Counting',
            left: ['EventsCounted', 'DossiersChanged', 'DuplicatesDropped'].map(
              (m) =>
                new Metric({
                  namespace: 'EMC',
                  metricName: m,
                  dimensionsMap: { service: 'count-dossier-events' },
                  statistic: 'Sum',
                }),
            ),
            right: [
              new Metric({
                namespace: 'EMC',
                metricName: 'IngestToCountLag',
                dimensionsMap: { service: 'count-dossier-events' },
                statistic: 'p99',
              }),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'Evaluation',
            left: [
              evaluationMetric('UnitsNotConnected', 'Maximum', 15),
              evaluationMetric('AlertsSent', 'Sum', 15),
            ],
            right: [
              evaluationMetric('EvaluationDuration', 'Maximum', 15),
              evaluationMetric('SnapshotBytes', 'Maximum', 15),
            ],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Function errors',
            left: functions.map((f) => f.fn.metricErrors()),
            width: 24,
          }),
        ],
      ],
    });

    // What the emc CLI needs (cdk deploy --outputs-file cdk-outputs.json).
    const output = (id: string, value: string) => new CfnOutput(this, id, { value });
    output('ApiUrl', api.apiEndpoint);
    output('SiteUrl', `https://${distribution.distributionDomainName}`);
    output('StateTable', state.tableName);
    output('KeysTable', keys.tableName);
    output('DataBucket', data.bucketName);
    output('KeyPepperSecretId', pepper.secretArn);
    output('AlertTopicArn', complianceAlerts.topicArn);
    output('OperatorTopicArn', operators.topicArn);
    output('EvaluateFunctionName', evaluate.fn.functionName);
    output('EvaluationDlqUrl', evaluationDlq.queueUrl);
    output('CompactArchiveFunctionName', compact.fn.functionName);
    output('CompactionDlqUrl', compactionDlq.queueUrl);
    for (const feed of FEEDS) {
      output(`${FEED_OUTPUT_STEM[feed]}QueueUrl`, queues[feed].queue.queueUrl);
      output(`${FEED_OUTPUT_STEM[feed]}DlqUrl`, queues[feed].dlq.queueUrl);
    }
  }
}
