import { fileURLToPath } from 'node:url';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Duration as Durations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../shared/config/env-names.ts';

export interface EmcFunctionProps {
  /** The entry file under functions/, without extension. */
  entry: string;
  timeout?: Duration;
  memorySize?: number;
  /** Caps concurrent executions where a function must not crowd out others or hammer a table. */
  reservedConcurrentExecutions?: number;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * Every function's shared defaults: Node 22 on arm64, X-Ray tracing, a log group with retention, ESM bundles
 * built by the local esbuild (no Docker). The binder methods set an environment variable and grant exactly the
 * matching permission in one call, so configuration and IAM cannot drift apart.
 */
export class EmcFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: EmcFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: fileURLToPath(new URL(`../functions/${props.entry}.ts`, import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Durations.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        [ENV.powertoolsServiceName]: props.entry,
        [ENV.powertoolsMetricsNamespace]: 'EMC',
        [ENV.nodeOptions]: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
  }

  /** The API-key table: GetItem only. */
  lookUpKeys(table: ITable): this {
    this.fn.addEnvironment(ENV.keysTable, table.tableName);
    this.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [table.tableArn] }),
    );
    // "Last used": an update that may touch no attribute but lastUsedAt and returns nothing.
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['prefix', 'lastUsedAt'] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        },
      }),
    );
    return this;
  }

  /**
   * What ingest may touch in the state table: read registry items (partition `REG`) for warnings and the
   * units' current catalogues (partitions `K#…`) for the facts a legacy sender leaves out, and update its
   * refusal log (partitions `X#…`). Nothing else of the state table.
   */
  readRegistryLogRefusals(table: ITable): this {
    this.fn.addEnvironment(ENV.stateTable, table.tableName);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REG', 'K#*'] } },
      }),
    );
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['X#*'] } },
      }),
    );
    return this;
  }

  /** The shared rate windows: a conditional ADD on one window item per unit and second, nothing else. */
  countRate(table: ITable): this {
    this.fn.addEnvironment(ENV.rateTable, table.tableName);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['window', 'n', 'expiresAt'] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        },
      }),
    );
    return this;
  }

  /** Reads objects under the given prefixes of a bucket, and nothing else. */
  readObjects(bucket: IBucket, variable: string, ...prefixes: string[]): this {
    this.fn.addEnvironment(variable, bucket.bucketName);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    return this;
  }

  readState(table: ITable): this {
    this.fn.addEnvironment(ENV.stateTable, table.tableName);
    table.grantReadData(this.fn);
    return this;
  }

  readWriteState(table: ITable): this {
    this.fn.addEnvironment(ENV.stateTable, table.tableName);
    table.grantReadWriteData(this.fn);
    return this;
  }

  sendTo(queue: IQueue, variable: string): this {
    this.fn.addEnvironment(variable, queue.queueUrl);
    queue.grantSendMessages(this.fn);
    return this;
  }

  /** Writes objects under the given prefixes of a bucket, and nothing else: no reads, no deletes. */
  writeObjects(bucket: IBucket, variable: string, ...prefixes: string[]): this {
    this.fn.addEnvironment(variable, bucket.bucketName);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    return this;
  }

  /**
   * Compacts objects under one prefix of a bucket: lists only that prefix, and reads, writes and deletes
   * only objects under it.
   */
  compactObjects(bucket: IBucket, variable: string, prefix: string): this {
    this.fn.addEnvironment(variable, bucket.bucketName);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }),
    );
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [bucket.arnForObjects(`${prefix}*`)],
      }),
    );
    return this;
  }

  /** The deployed evaluation interval, which the heartbeat's grace depends on. */
  evaluatesEvery(minutes: number): this {
    this.fn.addEnvironment(ENV.evaluateEveryMinutes, String(minutes));
    return this;
  }

  readSecret(secret: ISecret): this {
    this.fn.addEnvironment(ENV.keyPepperSecretId, secret.secretArn);
    secret.grantRead(this.fn);
    return this;
  }

  publishTo(topic: ITopic): this {
    this.fn.addEnvironment(ENV.alertTopicArn, topic.topicArn);
    topic.grantPublish(this.fn);
    return this;
  }
}
