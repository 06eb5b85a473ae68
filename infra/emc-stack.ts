import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Alias } from 'aws-cdk-lib/aws-kms';
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
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EmcFunction } from './emc-function.ts';
import { PrefixScopedS3Origin } from './snapshots-origin.ts';

export type StageName = 'dev' | 'prod';

export interface EmcStackProps extends StackProps {
  stage: StageName;
  alertEmails: string[];
  operatorEmails: string[];
  /** Minutes between evaluations. */
  evaluateEveryMinutes: number;
}

const FEEDS = ['dossier-events', 'heartbeats', 'reports'] as const;
type Feed = (typeof FEEDS)[number];

/**
 * Everything the local stack emulates, in AWS: the ingest API, one queue per feed with its DLQ, the workers,
 * the tables, the data bucket and the site behind CloudFront, the scheduled evaluation, the compliance-alert
 * topic, the key-hashing secret, alarms and a dashboard.
 */
export class EmcStack extends Stack {
  constructor(scope: Construct, id: string, props: EmcStackProps) {
    super(scope, id, props);
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
        {
          id: 'raw-archive',
          prefix: 'raw/',
          transitions: [
            { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(180) },
          ],
          noncurrentVersionExpiration: Duration.days(30),
        },
        { id: 'dated-snapshots', prefix: 'snapshots/20', expiration: Duration.days(prod ? 730 : 30) },
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
    const snsKey = Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns');
    const complianceAlerts = new Topic(this, 'ComplianceAlerts', {
      displayName: 'EMC compliance alerts',
      masterKey: snsKey,
      enforceSSL: true,
    });
    for (const email of props.alertEmails) complianceAlerts.addSubscription(new EmailSubscription(email));
    const operators = new Topic(this, 'OperatorAlarms', {
      displayName: 'EMC operator alarms',
      masterKey: snsKey,
      enforceSSL: true,
    });
    for (const email of props.operatorEmails) operators.addSubscription(new EmailSubscription(email));

    // Queues: visibility timeout at least 6 × the worker's timeout, as Lambda's SQS guidance asks.
    const workerTimeout = Duration.seconds(60);
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
        visibilityTimeout: Duration.seconds(workerTimeout.toSeconds() * 6),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
        removalPolicy,
      });
      queues[feed] = { queue, dlq };
    }

    // Ingest
    const ingest = (name: string) =>
      new EmcFunction(this, name, {
        entry: name,
        memorySize: 1024,
        timeout: Duration.seconds(10),
        ...fnDefaults,
      })
        .lookUpKeys(keys)
        .countRate(rateWindows)
        .readSecret(pepper);
    const ingestEvents = ingest('ingest-dossier-events').sendTo(
      queues['dossier-events'].queue,
      'DOSSIER_EVENTS_QUEUE_URL',
    );
    const ingestLegacy = ingest('ingest-legacy-emc').sendTo(
      queues['dossier-events'].queue,
      'DOSSIER_EVENTS_QUEUE_URL',
    );
    const ingestHeartbeats = ingest('ingest-heartbeats').sendTo(
      queues.heartbeats.queue,
      'HEARTBEATS_QUEUE_URL',
    );
    const ingestCatalog = ingest('ingest-catalog').sendTo(queues.reports.queue, 'REPORTS_QUEUE_URL');
    const ingestTotals = ingest('ingest-daily-totals').sendTo(queues.reports.queue, 'REPORTS_QUEUE_URL');
    const health = new EmcFunction(this, 'health', { entry: 'health', memorySize: 128, ...fnDefaults });

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
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const routes: [string, HttpMethod, EmcFunction, number][] = [
      ['/v1/dossier-events', HttpMethod.POST, ingestEvents, 200],
      ['/v1/compat/emc/{siteKey}/TrackingMCDT', HttpMethod.POST, ingestLegacy, 500],
      ['/v1/heartbeats', HttpMethod.POST, ingestHeartbeats, 100],
      ['/v1/catalog', HttpMethod.PUT, ingestCatalog, 5],
      ['/v1/daily-totals', HttpMethod.POST, ingestTotals, 5],
      ['/v1/health', HttpMethod.GET, health, 20],
    ];
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const [path, method, fn, rate] of routes) {
      api.addRoutes({
        path,
        methods: [method],
        integration: new HttpLambdaIntegration(`${fn.node.id}-integration`, fn.fn),
      });
      routeSettings[`${method} ${path}`] = { ThrottlingRateLimit: rate, ThrottlingBurstLimit: rate * 2 };
    }
    (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeSettings);

    // Workers
    const eventSource = (queue: Queue, batchSize: number) =>
      new SqsEventSource(queue, {
        batchSize,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        maxConcurrency: 10,
      });
    const countEvents = new EmcFunction(this, 'count-dossier-events', {
      entry: 'count-dossier-events',
      timeout: workerTimeout,
      memorySize: 1024,
      ...fnDefaults,
    })
      .readWriteState(state)
      .writeObjects(data, 'ARCHIVE_BUCKET', 'raw/');
    countEvents.fn.addEventSource(eventSource(queues['dossier-events'].queue, 100));
    const recordHeartbeats = new EmcFunction(this, 'record-heartbeats', {
      entry: 'record-heartbeats',
      timeout: workerTimeout,
      ...fnDefaults,
    }).readWriteState(state);
    recordHeartbeats.fn.addEventSource(eventSource(queues.heartbeats.queue, 100));
    const storeReports = new EmcFunction(this, 'store-unit-reports', {
      entry: 'store-unit-reports',
      timeout: workerTimeout,
      ...fnDefaults,
    }).readWriteState(state);
    storeReports.fn.addEventSource(eventSource(queues.reports.queue, 10));

    // Evaluation: one at a time, every few minutes.
    const evaluate = new EmcFunction(this, 'evaluate-compliance', {
      entry: 'evaluate-compliance',
      timeout: Duration.minutes(5),
      memorySize: 2048,
      reservedConcurrentExecutions: 1,
      ...fnDefaults,
    })
      .readWriteState(state)
      .writeObjects(data, 'SNAPSHOT_BUCKET', 'snapshots/', 'alerts/')
      .publishTo(complianceAlerts);
    new Schedule(this, 'EvaluateSchedule', {
      description: 'Evaluate connection compliance and publish snapshots',
      schedule: ScheduleExpression.rate(Duration.minutes(props.evaluateEveryMinutes)),
      target: new LambdaInvoke(evaluate.fn, { retryAttempts: 0 }),
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
    const siteDist = fileURLToPath(new URL('../site/dist', import.meta.url));
    if (existsSync(siteDist)) {
      new BucketDeployment(this, 'DeploySite', {
        sources: [Source.asset(siteDist)],
        destinationBucket: site,
        distribution,
      });
    }

    // Alarms, each to the operators' topic; docs/deploy.md has a runbook per alarm.
    const alarm = (
      id: string,
      metric: IMetric,
      threshold: number,
      description: string,
      missing = TreatMissingData.NOT_BREACHING,
    ) => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missing,
        alarmDescription: description,
      });
      created.addAlarmAction(new SnsAction(operators));
      return created;
    };
    for (const feed of FEEDS) {
      alarm(
        `${feed}-dlq-depth`,
        queues[feed].dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        1,
        `Records in the ${feed} DLQ (runbook: DLQ depth)`,
      );
      alarm(
        `${feed}-oldest-message`,
        queues[feed].queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5) }),
        600,
        `The ${feed} queue is not draining (runbook: oldest message)`,
      );
    }
    const functions = [
      ingestEvents,
      ingestLegacy,
      ingestHeartbeats,
      ingestCatalog,
      ingestTotals,
      countEvents,
      recordHeartbeats,
      storeReports,
      evaluate,
    ];
    for (const fn of functions) {
      alarm(
        `${fn.node.id}-errors`,
        fn.fn.metricErrors({ period: Duration.minutes(5) }),
        1,
        `${fn.node.id} failed (runbook: function errors)`,
      );
      alarm(
        `${fn.node.id}-throttles`,
        fn.fn.metricThrottles({ period: Duration.minutes(5) }),
        1,
        `${fn.node.id} was throttled (runbook: throttles)`,
      );
    }
    const evaluationMetric = (name: string, statistic: string, minutes: number) =>
      new Metric({
        namespace: 'EMC',
        metricName: name,
        dimensionsMap: { service: 'evaluate-compliance' },
        statistic,
        period: Duration.minutes(minutes),
      });
    alarm(
      'evaluation-failed',
      evaluationMetric('EvaluationFailed', 'Sum', 15),
      1,
      'An evaluation failed (runbook: evaluation failed)',
    );
    new Alarm(this, 'evaluation-missed', {
      metric: evaluationMetric('EvaluationSucceeded', 'SampleCount', props.evaluateEveryMinutes * 2),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription: 'No evaluation succeeded for two intervals (runbook: missed runs)',
    }).addAlarmAction(new SnsAction(operators));
    new Alarm(this, 'snapshot-stale', {
      metric: evaluationMetric('EvaluationSucceeded', 'SampleCount', 60),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription: 'The published snapshot is over an hour old (runbook: stale snapshot)',
    }).addAlarmAction(new SnsAction(operators));

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
    const names: Record<Feed, string> = {
      'dossier-events': 'DossierEvents',
      heartbeats: 'Heartbeats',
      reports: 'Reports',
    };
    for (const feed of FEEDS) {
      output(`${names[feed]}QueueUrl`, queues[feed].queue.queueUrl);
      output(`${names[feed]}DlqUrl`, queues[feed].dlq.queueUrl);
    }
  }
}
