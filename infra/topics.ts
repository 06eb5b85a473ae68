import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/**
 * The two topics (compliance alerts for the ministry, alarms for on-call), encrypted with one customer-managed
 * key. The AWS-managed SNS key cannot be used by CloudWatch, whose alarm notifications would then fail with
 * KMS AccessDenied; this key's policy lets CloudWatch use it, for this account's alarms only. A topic policy
 * replaces SNS's default one, so next to the TLS-only rule each topic says explicitly who may publish.
 */
export class EmcTopics extends Construct {
  readonly key: Key;
  readonly complianceAlerts: Topic;
  readonly operators: Topic;

  constructor(
    scope: Construct,
    id: string,
    props: { alertEmails: string[]; operatorEmails: string[]; removalPolicy: RemovalPolicy },
  ) {
    super(scope, id);
    const account = Stack.of(this).account;
    const sourceAccount = { StringEquals: { 'aws:SourceAccount': account } };
    this.key = new Key(this, 'Key', {
      description: 'Encrypts the EMC alert and alarm topics; CloudWatch may use it to publish alarms',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: sourceAccount,
      }),
    );
    const topic = (topicId: string, displayName: string, emails: string[]): Topic => {
      const created = new Topic(this, topicId, { displayName, masterKey: this.key, enforceSSL: true });
      for (const email of emails) created.addSubscription(new EmailSubscription(email));
      return created;
    };
    this.complianceAlerts = topic('ComplianceAlerts', 'EMC compliance alerts', props.alertEmails);
    this.operators = topic('OperatorAlarms', 'EMC operator alarms', props.operatorEmails);
    this.operators.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.operators.topicArn],
        conditions: sourceAccount,
      }),
    );
  }
}
