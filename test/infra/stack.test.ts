import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { keys, registryKeys } from '../../shared/adapters/state-keys.ts';
import { topology } from '../../shared/topology.ts';
import { synth } from './synth.ts';

const { template, stack } = synth({
  alertEmails: ['ministry@example.gov.vn'],
  operatorEmails: ['oncall@example.gov.vn'],
});
const resources = (type: string) => template.findResources(type);
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

function policyFor(functionId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const entry = Object.entries(policies).find(([logicalId]) =>
    logicalId.startsWith(functionId.replaceAll('-', '')),
  );
  if (!entry) throw new Error(`no policy for ${functionId}`);
  return (entry[1] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
    .PolicyDocument.Statement;
}
const actionsOf = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('the CDK stack', () => {
  it('synthesises with zero unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions'))).toEqual([]);
  });

  it('gives every function Node 22 on arm64, tracing, and a log group with retention', () => {
    const functions = Object.values(resources('AWS::Lambda::Function')) as {
      Properties: Record<string, unknown>;
    }[];
    const ours = functions.filter((f) => f.Properties.Runtime === 'nodejs22.x');
    expect(ours.length).toBe(12);
    const logGroups = resources('AWS::Logs::LogGroup') as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    for (const fn of ours) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      // Each function logs to its own group, kept a month outside prod (a year in prod, below).
      const { LogGroup } = fn.Properties.LoggingConfig as { LogGroup: { Ref: string } };
      expect(logGroups[LogGroup.Ref]?.Properties.RetentionInDays).toBe(30);
    }
    expect(new Set(ours.map((fn) => JSON.stringify(fn.Properties.LoggingConfig))).size).toBe(12);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    synth({ stage: 'prod' }).template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('wires every queue to a DLQ, encrypts it, and sets visibility to at least six times the worker timeout', () => {
    const queues = Object.values(resources('AWS::SQS::Queue')) as { Properties: Record<string, unknown> }[];
    expect(queues).toHaveLength(8);
    for (const queue of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const main = queues.filter((q) => q.Properties.RedrivePolicy);
    expect(main).toHaveLength(3);
    for (const queue of main) {
      expect(queue.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
      expect(Number(queue.Properties.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * 60);
    }
    template.resourceCountIs('AWS::SQS::QueuePolicy', 8);
  });

  it('maps each queue to its worker with partial batch responses and the batch settings of the topology manifest', () => {
    const mappings = Object.values(resources('AWS::Lambda::EventSourceMapping')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(mappings).toHaveLength(3);
    const settings = mappings
      .map((mapping) => ({
        types: mapping.Properties.FunctionResponseTypes,
        batchSize: mapping.Properties.BatchSize,
        window: mapping.Properties.MaximumBatchingWindowInSeconds,
        scaling: mapping.Properties.ScalingConfig,
      }))
      .sort((a, b) => Number(b.batchSize) - Number(a.batchSize));
    expect(settings).toEqual([
      { types: ['ReportBatchItemFailures'], batchSize: 100, window: 5, scaling: { MaximumConcurrency: 10 } },
      { types: ['ReportBatchItemFailures'], batchSize: 100, window: 5, scaling: { MaximumConcurrency: 10 } },
      { types: ['ReportBatchItemFailures'], batchSize: 10, window: 5, scaling: { MaximumConcurrency: 10 } },
    ]);
  });

  it('keeps the tables on demand, with point-in-time recovery, TTL and, in prod, deletion protection', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 3);
    template.allResourcesProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const prod = synth({ stage: 'prod' }).template;
    prod.allResourcesProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
    });
    prod.allResources('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    prod.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          {
            Id: 'raw-archive',
            Prefix: 'raw/',
            Status: 'Enabled',
            ExpirationInDays: 1095,
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            ObjectSizeGreaterThan: 131071,
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
            ],
          },
          { Id: 'dated-snapshots', Prefix: 'snapshots/20', Status: 'Enabled', ExpirationInDays: 30 },
          Match.objectLike({ Id: 'daily-snapshots', ExpirationInDays: 730 }),
        ]),
      },
    });
  });

  it('encrypts every bucket, blocks public access, refuses plain HTTP, and keeps raw data for its retention period', () => {
    const buckets = Object.values(resources('AWS::S3::Bucket')) as { Properties: Record<string, unknown> }[];
    expect(buckets.length).toBe(3);
    for (const bucket of buckets) {
      expect(bucket.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          {
            Id: 'raw-archive',
            Prefix: 'raw/',
            Status: 'Enabled',
            ExpirationInDays: 30,
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          },
          { Id: 'dated-snapshots', Prefix: 'snapshots/20', Status: 'Enabled', ExpirationInDays: 30 },
          {
            Id: 'daily-snapshots',
            Prefix: 'snapshots/daily/',
            Status: 'Enabled',
            ExpirationInDays: 30,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          },
        ]),
      },
    });
  });

  it('moves no object to another storage class in dev, where raw data lives 30 days', () => {
    const rules = Object.values(resources('AWS::S3::Bucket')).flatMap(
      (bucket) =>
        (bucket as { Properties: { LifecycleConfiguration?: { Rules: { Transitions?: unknown }[] } } })
          .Properties.LifecycleConfiguration?.Rules ?? [],
    );
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.Transitions).toBeUndefined();
  });

  it('serves the site and the snapshots through CloudFront with origin access control', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 2);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [
          Match.objectLike({ PathPattern: 'snapshots/*', ViewerProtocolPolicy: 'redirect-to-https' }),
        ],
      }),
    });
  });

  it('lets CloudFront read only snapshots/* of the data bucket, never the alert or raw archives', () => {
    const cloudFrontReads = Object.values(resources('AWS::S3::BucketPolicy')).flatMap((policy) =>
      (
        policy as { Properties: { PolicyDocument: { Statement: (Statement & { Principal?: unknown })[] } } }
      ).Properties.PolicyDocument.Statement.filter(
        (statement) =>
          JSON.stringify(statement.Principal ?? '').includes('cloudfront.amazonaws.com') &&
          statement.Effect === 'Allow',
      ),
    );
    const dataGrants = cloudFrontReads.filter((statement) =>
      JSON.stringify(statement.Resource).includes('Data'),
    );
    expect(dataGrants).toHaveLength(1);
    expect(dataGrants[0]?.Action).toBe('s3:GetObject');
    expect(JSON.stringify(dataGrants[0]?.Resource)).toMatch(/\/snapshots\/\*"\]\]\}$/);
    expect(JSON.stringify(dataGrants[0]?.Resource)).not.toMatch(/"\/\*"/);
  });

  it('lets an ingest function send to its queue, look up keys and record only their last use', () => {
    const statements = policyFor('ingest-dossier-events');
    const all = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));
    const rate = all.filter((s) => JSON.stringify(s.Resource).includes('RateWindows'));
    expect(rate.map((s) => [s.Action, s.Condition])).toEqual([
      [
        'dynamodb:UpdateItem',
        {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['window', 'n', 'expiresAt'] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        },
      ],
    ]);
    // On the state table it reads registry items and writes its refusal log only (the next test).
    const onState = all.filter((s) => JSON.stringify(s.Resource).includes('State'));
    expect(onState).toHaveLength(2);
    const dynamo = all.filter((s) => !rate.includes(s) && !onState.includes(s));
    expect(dynamo.map((s) => s.Action)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    for (const statement of dynamo) expect(JSON.stringify(statement.Resource)).toContain('Keys');
    expect(dynamo[1]?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['prefix', 'lastUsedAt'] },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
    });
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(['sqs:SendMessage']));
    expect(actionsOf(statements).some((a) => a.startsWith('s3:'))).toBe(false);
  });

  it('lets an ingest function read only registry and catalogue items and update only its refusal log in the state table', () => {
    const onState = policyFor('ingest-heartbeats').filter((s) =>
      JSON.stringify(s.Resource).includes('State'),
    );
    expect(onState.map((s) => [s.Action, s.Condition])).toEqual([
      ['dynamodb:GetItem', { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REG', 'K#*'] } }],
      ['dynamodb:UpdateItem', { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['X#*'] } }],
    ]);
    // The partitions the grant names are the ones the ingest adapters read.
    expect(registryKeys.unit('H01').pk).toBe('REG');
    expect(keys.catalog('H01').pk).toBe('K#H01');
  });

  it('routes GET /v1/me to a function that reads state and the unit snapshot files, and writes nothing', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/me' });
    const actions = actionsOf(policyFor('describe-own-unit'));
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual(['s3:GetObject']);
    expect(actions.filter((a) => /^dynamodb:(Put|Delete|BatchWrite|TransactWrite)/.test(a))).toEqual([]);
  });

  it('lets the evaluation only put objects, never read or delete them, and publish to the alert topic', () => {
    const actions = actionsOf(policyFor('evaluate-compliance'));
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual(['s3:PutObject']);
    expect(actions).toContain('sns:Publish');
  });

  it('uses no wildcard action on any data resource', () => {
    for (const policy of Object.values(resources('AWS::IAM::Policy')) as {
      Properties: { PolicyDocument: { Statement: Statement[] } };
    }[]) {
      for (const action of actionsOf(policy.Properties.PolicyDocument.Statement)) {
        expect(action === '*' || /^(dynamodb|s3|sqs|sns):\*$/.test(action), action).toBe(false);
      }
    }
  });

  it('keeps the key-hashing secret in Secrets Manager, never in an environment variable', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const functions = Object.values(resources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }[];
    for (const fn of functions) {
      const variables = fn.Properties.Environment?.Variables ?? {};
      expect(Object.keys(variables)).not.toContain('EMC_KEY_PEPPER');
    }
  });

  it('tells the evaluation and GET /v1/me the deployed evaluation interval, which the heartbeat grace depends on', () => {
    const functions = Object.entries(resources('AWS::Lambda::Function')) as [
      string,
      { Properties: { Environment?: { Variables?: Record<string, unknown> } } },
    ][];
    const told = functions
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.EMC_EVALUATE_EVERY_MINUTES !== undefined)
      .map(([id, fn]) => [
        id.replace(/[A-F0-9]{8}$/, ''),
        fn.Properties.Environment?.Variables?.EMC_EVALUATE_EVERY_MINUTES,
      ]);
    expect(told.sort()).toEqual([
      ['describeownunitFunction', String(topology.evaluation.everyMinutes)],
      ['evaluatecomplianceFunction', String(topology.evaluation.everyMinutes)],
    ]);
  });

  it('throttles each API route and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
      }),
      RouteSettings: {
        'POST /v1/dossier-events': { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
        'POST /v1/compat/emc/{siteKey}/TrackingMCDT': {
          ThrottlingRateLimit: 500,
          ThrottlingBurstLimit: 1000,
        },
        'POST /v1/heartbeats': { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
        'PUT /v1/catalog': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
        'POST /v1/daily-totals': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
        'GET /v1/health': { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
        'GET /v1/me': { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      },
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 7);
  });

  it('schedules the evaluation and subscribes the configured emails to the alert topics', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(15 minutes)' });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ministry@example.gov.vn',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.gov.vn',
    });
  });

  it('alarms on DLQ depth, queue age, errors, throttles, failed and missed evaluations and a stale snapshot', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm')) as {
      Properties: Record<string, unknown>;
    }[];
    const described = alarms.map((a) => String(a.Properties.AlarmDescription));
    expect(described.filter((d) => d.includes('(runbook: DLQ depth)'))).toHaveLength(3);
    expect(described.filter((d) => d.includes('not draining'))).toHaveLength(3);
    expect(described.filter((d) => d.includes('runbook: function errors'))).toHaveLength(11);
    expect(described.filter((d) => d.includes('runbook: throttles'))).toHaveLength(11);
    expect(described.filter((d) => d.includes('runbook: table throttles'))).toHaveLength(2);
    expect(described).toEqual(
      expect.arrayContaining([
        'The ingest API answered 5xx (runbook: API 5xx)',
        'Over 25% of ingest requests answered 4xx or 429 (runbook: API 4xx rate)',
        'No ingest request for 30 minutes (runbook: ingest stopped)',
        'An evaluation failed (runbook: evaluation failed)',
        'The schedule did not invoke the evaluation for two intervals (runbook: missed runs)',
        'No snapshot was published for an hour (runbook: stale snapshot)',
        'A scheduled evaluation could not be delivered or failed (runbook: evaluation dead letters)',
        'No raw-archive compaction finished for a day (runbook: archive compaction)',
        'A scheduled raw-archive compaction could not be delivered or failed (runbook: archive compaction)',
      ]),
    );
    expect(alarms).toHaveLength(3 + 3 + 11 + 11 + 2 + 3 + 5 + 2);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('outputs everything the emc CLI needs to work against the deployed stack', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    for (const name of [
      'ApiUrl',
      'StateTable',
      'KeysTable',
      'DataBucket',
      'KeyPepperSecretId',
      'DossierEventsQueueUrl',
      'DossierEventsDlqUrl',
      'HeartbeatsQueueUrl',
      'HeartbeatsDlqUrl',
      'ReportsQueueUrl',
      'ReportsDlqUrl',
      'EvaluateFunctionName',
      'EvaluationDlqUrl',
    ]) {
      expect(outputs).toContain(name);
    }
  });
});

describe('the raw-archive compaction', () => {
  const functions = Object.entries(resources('AWS::Lambda::Function')) as [
    string,
    { Properties: Record<string, unknown> },
  ][];
  const compaction = functions.find(([id]) => id.startsWith('compactarchiveFunction'));
  const dlqArn = () => {
    const id = Object.keys(resources('AWS::SQS::Queue')).find((queueId) =>
      queueId.startsWith('compactiondlq'),
    );
    return { 'Fn::GetAtt': [id, 'Arn'] };
  };

  it('may list only raw/ of the data bucket, and read, write and delete only objects under it', () => {
    const statements = policyFor('compact-archive');
    const s3 = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      {
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Data/), 'Arn'] },
        Condition: { StringLike: { 's3:prefix': ['raw/*'] } },
      },
      {
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Effect: 'Allow',
        Resource: {
          'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Data/), 'Arn'] }, '/raw/*']],
        },
      },
    ]);
    // Besides S3: its failure destination, the compaction DLQ, and tracing.
    const others = statements.filter(
      (s) => !actionsOf([s]).some((a) => a.startsWith('s3:') || a.startsWith('xray:')),
    );
    expect(others.map((s) => [actionsOf([s]).sort(), s.Resource])).toEqual([
      [['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], dlqArn()],
    ]);
  });

  it('runs at 00:30 in Hà Nội every day, with the bucket it compacts and the longest timeout Lambda allows', () => {
    const [id, fn] = compaction ?? [];
    expect(id).toBeDefined();
    expect(fn?.Properties.Timeout).toBe(900);
    expect(fn?.Properties.Environment).toMatchObject({
      Variables: { ARCHIVE_BUCKET: { Ref: expect.stringMatching(/^Data/) } },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 0 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Ho_Chi_Minh',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [id, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: dlqArn() },
      },
    });
  });

  it('retries a failed run once, since a run is safe to repeat, and sends what still fails to its DLQ', () => {
    const [id] = compaction ?? [];
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id },
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: dlqArn() } },
    });
  });

  it('looks back as far as a batch can reach a closed day late: its queue’s retention and then its DLQ’s', () => {
    const queues = Object.values(resources('AWS::SQS::Queue')) as { Properties: Record<string, unknown> }[];
    const dossierQueue = queues.find((queue) => JSON.stringify(queue.Properties).includes('dossierevents'));
    const retention = (queue: { Properties: Record<string, unknown> } | undefined) =>
      Number(queue?.Properties.MessageRetentionPeriod) / 86_400;
    const dlqId = Object.keys(resources('AWS::SQS::Queue')).find((id) => id.startsWith('dossiereventsdlq'));
    const dlq = resources('AWS::SQS::Queue')[dlqId ?? ''] as { Properties: Record<string, unknown> };
    expect(retention(dossierQueue) + retention(dlq)).toBe(18);
    expect(topology.compaction.lookbackDays).toBeGreaterThanOrEqual(retention(dossierQueue) + retention(dlq));
  });

  it('moves raw objects of 128 KB or more to Infrequent Access and Glacier in prod, and keeps them three years', () => {
    synth({ stage: 'prod' }).template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'raw-archive',
            Prefix: 'raw/',
            ExpirationInDays: 3 * 365,
            ObjectSizeGreaterThan: 128 * 1024 - 1,
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
            ],
          }),
        ]),
      },
    });
  });
});
