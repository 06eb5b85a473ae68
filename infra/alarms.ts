import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { topology } from '../shared/topology.ts';
import type { EmcFunction } from './emc-function.ts';

export interface EmcAlarmsProps {
  stage: string;
  operators: ITopic;
  api: HttpApi;
  queues: { feed: string; queue: Queue; dlq: Queue }[];
  functions: EmcFunction[];
  evaluation: EmcFunction;
  evaluationDlq: Queue;
  /** The daily raw-archive compaction and its dead-letter queue. */
  compaction: { fn: EmcFunction; dlq: Queue };
  tables: TableV2[];
  evaluateEveryMinutes: number;
}

/** Minimum requests in five minutes before a 4xx rate means anything. */
export const CLIENT_ERROR_MIN_REQUESTS = 100;
/** Share of requests answered 4xx (429 included) that is unusual for senders that work. */
export const CLIENT_ERROR_RATE = 0.25;
/** Units send heartbeats every five minutes, so half an hour without a single request means ingest stopped. */
export const INGEST_SILENCE_MINUTES = 30;

/**
 * Every alarm sends to the operators' topic; docs/deploy.md has a runbook entry per alarm, named in each
 * description. Ingest functions turn every exception into a 5xx answer, so ingest is watched at the API
 * (5xx, an unusual 4xx rate, traffic stopping), not by function errors.
 */
export class EmcAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: EmcAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.operators);
    const alarm = (
      alarmId: string,
      options: {
        metric: IMetric;
        threshold: number;
        description: string;
        below?: boolean;
        missing?: TreatMissingData;
        periods?: number;
      },
    ): Alarm => {
      const created = new Alarm(this, alarmId, {
        alarmName: `emc-${props.stage}-${alarmId}`,
        metric: options.metric,
        threshold: options.threshold,
        evaluationPeriods: options.periods ?? 1,
        comparisonOperator: options.below
          ? ComparisonOperator.LESS_THAN_THRESHOLD
          : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
        alarmDescription: options.description,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };
    const fiveMinutes = Duration.minutes(5);

    // Ingest, at the API.
    alarm('api-5xx', {
      metric: props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      description: 'The ingest API answered 5xx (runbook: API 5xx)',
    });
    alarm('api-4xx-rate', {
      metric: new MathExpression({
        expression: `IF(requests >= ${CLIENT_ERROR_MIN_REQUESTS}, clientErrors / requests, 0)`,
        usingMetrics: {
          requests: props.api.metricCount({ period: fiveMinutes, statistic: 'Sum' }),
          clientErrors: props.api.metricClientError({ period: fiveMinutes, statistic: 'Sum' }),
        },
        label: '4xx share of requests',
        period: fiveMinutes,
      }),
      threshold: CLIENT_ERROR_RATE,
      description: `Over ${CLIENT_ERROR_RATE * 100}% of ingest requests answered 4xx or 429 (runbook: API 4xx rate)`,
    });
    alarm('ingest-stopped', {
      metric: props.api.metricCount({ period: Duration.minutes(INGEST_SILENCE_MINUTES), statistic: 'Sum' }),
      threshold: 1,
      below: true,
      missing: TreatMissingData.BREACHING,
      description: `No ingest request for ${INGEST_SILENCE_MINUTES} minutes (runbook: ingest stopped)`,
    });

    // Queues and workers.
    for (const { feed, queue, dlq } of props.queues) {
      alarm(`${feed}-dlq-depth`, {
        metric: dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        description: `Records in the ${feed} DLQ (runbook: DLQ depth)`,
      });
      alarm(`${feed}-oldest-message`, {
        metric: queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
        threshold: 600,
        description: `The ${feed} queue is not draining (runbook: oldest message)`,
      });
    }
    for (const fn of props.functions) {
      alarm(`${fn.node.id}-errors`, {
        metric: fn.fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        description: `${fn.node.id} failed (runbook: function errors)`,
      });
      alarm(`${fn.node.id}-throttles`, {
        metric: fn.fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        description: `${fn.node.id} was throttled (runbook: throttles)`,
      });
    }
    for (const table of props.tables) {
      alarm(`${table.node.id}-throttles`, {
        metric: new MathExpression({
          expression: 'reads + writes',
          usingMetrics: {
            reads: table.metric('ReadThrottleEvents', { period: fiveMinutes, statistic: 'Sum' }),
            writes: table.metric('WriteThrottleEvents', { period: fiveMinutes, statistic: 'Sum' }),
          },
          label: 'throttled reads and writes',
          period: fiveMinutes,
        }),
        threshold: 1,
        description: `DynamoDB throttled the ${table.node.id} table (runbook: table throttles)`,
      });
    }

    // Evaluation: failed, never invoked, and no snapshot published are three different faults.
    const evaluationMetric = (name: string, statistic: string, minutes: number): Metric =>
      new Metric({
        namespace: 'EMC',
        metricName: name,
        dimensionsMap: { service: topology.evaluation.name },
        statistic,
        period: Duration.minutes(minutes),
      });
    alarm('evaluation-failed', {
      metric: evaluationMetric('EvaluationFailed', 'Sum', 15),
      threshold: 1,
      description: 'An evaluation failed (runbook: evaluation failed)',
    });
    alarm('unit-evaluations-failed', {
      metric: evaluationMetric('UnitEvaluationsFailed', 'Maximum', 15),
      threshold: 1,
      description: 'An evaluation could not evaluate one or more units (runbook: units not evaluated)',
    });
    alarm('evaluation-missed', {
      metric: props.evaluation.fn.metricInvocations({
        period: Duration.minutes(props.evaluateEveryMinutes * 2),
        statistic: 'Sum',
      }),
      threshold: 1,
      below: true,
      missing: TreatMissingData.BREACHING,
      description: 'The schedule did not invoke the evaluation for two intervals (runbook: missed runs)',
    });
    alarm('snapshot-stale', {
      metric: evaluationMetric('SnapshotBytes', 'SampleCount', 60),
      threshold: 1,
      below: true,
      missing: TreatMissingData.BREACHING,
      description: 'No snapshot was published for an hour (runbook: stale snapshot)',
    });
    alarm('evaluation-dlq-depth', {
      metric: props.evaluationDlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      description:
        'A scheduled evaluation could not be delivered or failed (runbook: evaluation dead letters)',
    });

    // Compaction: a day without a finished run leaves that day's raw objects small (in Standard), not lost.
    alarm('compaction-missed', {
      metric: new Metric({
        namespace: 'EMC',
        metricName: 'CompactionSucceeded',
        dimensionsMap: { service: topology.compaction.name },
        statistic: 'SampleCount',
        period: Duration.days(1),
      }),
      threshold: 1,
      below: true,
      missing: TreatMissingData.BREACHING,
      description: 'No raw-archive compaction finished for a day (runbook: archive compaction)',
    });
    alarm('compaction-dlq-depth', {
      metric: props.compaction.dlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      description:
        'A scheduled raw-archive compaction could not be delivered or failed (runbook: archive compaction)',
    });
  }
}
