import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContext } from '../../infra/build-app.ts';
import { topology } from '../../shared/topology.ts';
import { synth } from './synth.ts';

const { template, stack } = synth({ operatorEmails: ['oncall@example.gov.vn'] });
type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
const resources = (type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;
const only = (type: string): [string, Resource] => {
  const entries = Object.entries(resources(type));
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Resource];
};
type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Principal?: unknown;
  Condition?: unknown;
};
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`missing from the template: ${what}`);
  return value;
}
/** The one resource of a type that names the function whose logical id starts with `functionId`. */
const onlyFor = (type: string, functionId: string): [string, Resource] => {
  const entries = Object.entries(resources(type)).filter(([, resource]) =>
    JSON.stringify(resource.Properties).includes(`"${functionId}`),
  );
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Resource];
};
const actions = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The HTTP API access-log variables AWS documents ("Customize HTTP API access logs"), those we may use. */
const HTTP_API_VARIABLES = new Set([
  'accountId',
  'apiId',
  'awsEndpointRequestId',
  'dataProcessed',
  'domainName',
  'domainPrefix',
  'error.message',
  'error.messageString',
  'error.responseType',
  'extendedRequestId',
  'httpMethod',
  'identity.sourceIp',
  'identity.userAgent',
  'integration.error',
  'integration.integrationStatus',
  'integration.latency',
  'integration.requestId',
  'integration.status',
  'integrationErrorMessage',
  'integrationLatency',
  'integrationStatus',
  'protocol',
  'requestId',
  'requestTime',
  'requestTimeEpoch',
  'responseLatency',
  'responseLength',
  'routeKey',
  'stage',
  'status',
]);

describe('the deploy context', () => {
  it('accepts alert addresses as a JSON array, a JSON array in a string (cdk -c), or a comma-separated list', () => {
    const expected = ['emc-alerts@ministry.gov.vn', 'duty@ministry.gov.vn'];
    const region = 'ap-southeast-1';
    expect(parseContext({ region, alertEmails: expected }).alertEmails).toEqual(expected);
    expect(parseContext({ region, alertEmails: JSON.stringify(expected) }).alertEmails).toEqual(expected);
    expect(
      parseContext({ region, alertEmails: 'emc-alerts@ministry.gov.vn, duty@ministry.gov.vn' }).alertEmails,
    ).toEqual(expected);
    expect(parseContext({ region, operatorEmails: '' }).operatorEmails).toEqual([]);
  });

  it('names the setting when an address list is not valid', () => {
    expect(() =>
      parseContext({ region: 'ap-southeast-1', alertEmails: '["emc-alerts@ministry.gov.vn"' }),
    ).toThrow(/alertEmails: not a JSON array of addresses/);
    expect(() =>
      parseContext({ region: 'ap-southeast-1', operatorEmails: 'oncall@, duty@ministry.gov.vn' }),
    ).toThrow(/operatorEmails\.0/);
  });

  it('requires an explicit region and refuses one that is not a region code', () => {
    expect(() => parseContext({})).toThrow(/region/);
    expect(() => parseContext({ region: 'Singapore' })).toThrow(/region: must be an AWS region code/);
  });

  describe('with the CLI profile pointing elsewhere', () => {
    const saved = process.env.CDK_DEFAULT_REGION;
    afterEach(() => {
      if (saved === undefined) delete process.env.CDK_DEFAULT_REGION;
      else process.env.CDK_DEFAULT_REGION = saved;
    });
    it('deploys to the region of cdk.json, not to the CLI default region', () => {
      process.env.CDK_DEFAULT_REGION = 'us-east-1';
      expect(synth().stack.region).toBe('ap-southeast-1');
      expect(synth({ region: 'ap-southeast-2' }).stack.region).toBe('ap-southeast-2');
    });
  });

  it('refuses an evaluation interval one minute shorter than the evaluation timeout, and accepts the timeout itself', () => {
    expect(() => parseContext({ region: 'ap-southeast-1', evaluateEveryMinutes: '4' })).toThrow(
      /evaluateEveryMinutes: must be at least the evaluation's timeout, 5 minutes/,
    );
    expect(parseContext({ region: 'ap-southeast-1', evaluateEveryMinutes: '5' }).evaluateEveryMinutes).toBe(
      5,
    );
  });

  it('refuses to synthesise without a built dashboard instead of shipping no site', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-site-'));
    expect(() => synth({}, { siteDir: empty })).toThrow(/The dashboard is not built .*npm run build:site/);
  });
});

describe('the API stage', () => {
  it('is created after every route its RouteSettings name', () => {
    const [, stage] = only('AWS::ApiGatewayV2::Stage');
    const routeIds = Object.keys(resources('AWS::ApiGatewayV2::Route'));
    expect(routeIds).toHaveLength(7);
    for (const id of routeIds) expect(stage.DependsOn).toContain(id);
    const routeKeys = Object.values(resources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(Object.keys(stage.Properties.RouteSettings as object).sort()).toEqual([...routeKeys].sort());
  });

  it('logs only documented HTTP API variables, the ones an operator needs, and never the path', () => {
    const [, stage] = only('AWS::ApiGatewayV2::Stage');
    const format = String((stage.Properties.AccessLogSettings as { Format: string }).Format);
    const fields = JSON.parse(format) as Record<string, string>;
    const used = Object.values(fields).map((value) => value.replace(/^\$context\./, ''));
    for (const variable of used) expect(HTTP_API_VARIABLES.has(variable), variable).toBe(true);
    expect(used).toEqual(
      expect.arrayContaining([
        'requestId',
        'routeKey',
        'status',
        'responseLatency',
        'integrationErrorMessage',
        'error.message',
        'identity.sourceIp',
        'identity.userAgent',
      ]),
    );
    expect(format).not.toContain('$context.path');
    expect(format).not.toContain('resourcePath');
    for (const empty of ['identity.user', 'identity.caller', 'path']) expect(used).not.toContain(empty);
  });
});

describe('the evaluation', () => {
  const evaluation = Object.entries(resources('AWS::Lambda::Function')).find(
    ([, fn]) =>
      (fn.Properties.Environment as { Variables: Record<string, string> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === 'evaluate-compliance',
  );

  it('reserves no concurrency on any function, so a new account’s quota suffices', () => {
    for (const fn of Object.values(resources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('may write the state table, where it takes its lease', () => {
    const [id] = must(evaluation, 'the evaluation function');
    const policy = Object.entries(resources('AWS::IAM::Policy')).find(([policyId]) =>
      policyId.startsWith(id.replace('Function', 'FunctionServiceRoleDefaultPolicy').slice(0, 30)),
    );
    const statements = (
      must(policy, 'the evaluation policy')[1].Properties.PolicyDocument as {
        Statement: (Statement & { Resource: unknown })[];
      }
    ).Statement;
    const put = statements.find((s) => actions(s).includes('dynamodb:PutItem'));
    expect(put?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^State/), 'Arn'] });
  });

  it('is scheduled without a flexible window, with retries, a maximum event age of one interval and a DLQ', () => {
    const [, schedule] = onlyFor('AWS::Scheduler::Schedule', 'evaluatecomplianceFunction');
    const dlqId = Object.keys(resources('AWS::SQS::Queue')).find((id) => id.startsWith('evaluationdlq'));
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'rate(15 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 900 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      },
    });
  });

  it('is invoked asynchronously with no retry of a failed run, an event age of one interval and a failure destination', () => {
    const [, config] = onlyFor('AWS::Lambda::EventInvokeConfig', 'evaluatecomplianceFunction');
    const dlqId = Object.keys(resources('AWS::SQS::Queue')).find((id) => id.startsWith('evaluationdlq'));
    expect(config.Properties).toEqual({
      FunctionName: { Ref: expect.stringMatching(/^evaluatecomplianceFunction/) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 900,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  });

  it('follows a longer interval with the schedule, the event ages and the missed-run alarm', () => {
    const hourly = synth({ evaluateEveryMinutes: '60' }).template;
    hourly.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 } }),
    });
    hourly.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: 3600 });
    hourly.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'emc-dev-evaluation-missed',
      MetricName: 'Invocations',
      Namespace: 'AWS/Lambda',
      Period: 7200,
    });
  });
});

describe('alarms', () => {
  const alarms = resources('AWS::CloudWatch::Alarm');
  const byName = (name: string): Record<string, unknown> => {
    const found = Object.values(alarms).find((a) => a.Properties.AlarmName === `emc-dev-${name}`);
    if (!found) throw new Error(`no alarm ${name}`);
    return found.Properties;
  };

  it('reach only topics whose key CloudWatch may use and whose policy lets CloudWatch of this account publish', () => {
    const topics = resources('AWS::SNS::Topic');
    const keys = resources('AWS::KMS::Key');
    const topicPolicies = Object.values(resources('AWS::SNS::TopicPolicy'));
    expect(Object.keys(alarms).length).toBeGreaterThan(0);
    for (const alarm of Object.values(alarms)) {
      const targets = alarm.Properties.AlarmActions as { Ref: string }[];
      expect(targets).toHaveLength(1);
      for (const target of targets) {
        const topic = must(topics[target.Ref], `the topic of ${String(alarm.Properties.AlarmName)}`);
        const keyRef = (topic.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
        expect(keyRef[1]).toBe('Arn');
        const key = must(keys[keyRef[0]], `the key of ${target.Ref}`);
        const keyStatements = (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
        expect(keyStatements).toContainEqual(
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        );
        const policy = topicPolicies.find((p) =>
          (p.Properties.Topics as { Ref: string }[]).some((t) => t.Ref === target.Ref),
        );
        const statements = (
          must(policy, `the policy of ${target.Ref}`).Properties.PolicyDocument as { Statement: Statement[] }
        ).Statement;
        expect(statements).toContainEqual({
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: target.Ref },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        });
        for (const deny of statements.filter((s) => s.Effect === 'Deny')) {
          expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
        }
      }
    }
  });

  it('encrypt both topics with the customer-managed key, never the AWS-managed SNS key', () => {
    const [keyId] = only('AWS::KMS::Key');
    const topics = Object.values(resources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(2);
    for (const topic of topics)
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(JSON.stringify(template.toJSON())).not.toContain('alias/aws/sns');
  });

  it('watch the API for 5xx answers and for an unusual share of 4xx and 429 answers', () => {
    expect(byName('api-5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const rate = byName('api-4xx-rate');
    expect(rate).toMatchObject({ Threshold: 0.25, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const metrics = rate.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string } };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'IF(requests >= 100, clientErrors / requests, 0)',
    );
    expect(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat?.Metric.MetricName])).toEqual(
      expect.arrayContaining([
        ['requests', 'Count'],
        ['clientErrors', '4xx'],
      ]),
    );
  });

  it('fire when ingest traffic stops altogether, treating no data as breaching', () => {
    expect(byName('ingest-stopped')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Count',
      Statistic: 'Sum',
      Period: 1800,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('watch both tables for throttled reads and writes', () => {
    for (const table of ['State', 'Keys']) {
      const metrics = byName(`${table}-throttles`).Metrics as {
        Expression?: string;
        MetricStat?: { Metric: { MetricName: string } };
      }[];
      expect(metrics.find((m) => m.Expression)?.Expression).toBe('reads + writes');
      expect(metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : [])).sort()).toEqual([
        'ReadThrottleEvents',
        'WriteThrottleEvents',
      ]);
    }
  });

  it('tell a missed run (no invocation) from a stale snapshot (no snapshot published) by distinct metrics', () => {
    const missed = byName('evaluation-missed');
    const stale = byName('snapshot-stale');
    expect(missed).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Period: 1800,
      TreatMissingData: 'breaching',
    });
    expect(stale).toMatchObject({
      Namespace: 'EMC',
      MetricName: 'SnapshotBytes',
      Statistic: 'SampleCount',
      Period: 3600,
      TreatMissingData: 'breaching',
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(missed.MetricName).not.toBe(stale.MetricName);
  });

  it('alarm when a run could not evaluate some units, even though it published the rest', () => {
    expect(byName('unit-evaluations-failed')).toMatchObject({
      Namespace: 'EMC',
      MetricName: 'UnitEvaluationsFailed',
      Statistic: 'Maximum',
      Period: 900,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('small points', () => {
  it('gives the site deployment’s log group a retention period', () => {
    const deployment = Object.values(resources('Custom::CDKBucketDeployment'));
    expect(deployment).toHaveLength(1);
    const logGroups = Object.entries(resources('AWS::Logs::LogGroup')).filter(([id]) =>
      id.startsWith('DeploySiteLogs'),
    );
    expect(logGroups.map(([, group]) => group.Properties.RetentionInDays)).toEqual([30]);
    expect(stack.region).toBe('ap-southeast-1');
  });
});

describe('the topology manifest', () => {
  it('names exactly the environment variables each deployed function is given', () => {
    const common = new Set(['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS']);
    const specs = [
      ...topology.ingest,
      ...Object.values(topology.workers),
      topology.evaluation,
      topology.compaction,
    ];
    const functions = Object.values(resources('AWS::Lambda::Function'));
    for (const spec of specs) {
      const fn = must(
        functions.find(
          (f) =>
            (f.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables
              ?.POWERTOOLS_SERVICE_NAME === spec.name,
        ),
        spec.name,
      );
      const variables = Object.keys(
        (fn.Properties.Environment as { Variables: Record<string, string> }).Variables,
      ).filter((name) => !common.has(name));
      expect(variables.sort(), spec.name).toEqual([...spec.env].sort());
      expect(fn.Properties.Timeout, spec.name).toBe(spec.timeoutSeconds);
      expect(fn.Properties.MemorySize, spec.name).toBe(spec.memoryMb);
    }
  });
});
