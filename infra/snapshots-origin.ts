import { Aws } from 'aws-cdk-lib';
import {
  type CfnDistribution,
  type OriginBindConfig,
  type OriginBindOptions,
  S3OriginAccessControl,
  Signing,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/**
 * A private S3 origin (origin access control) whose bucket-policy grant covers one prefix only. CDK's own
 * OAC origin grants the distribution `s3:GetObject` on every object, and the data bucket also holds the alert
 * and raw archives: through this origin CloudFront can read `snapshots/*` and nothing else, whatever path a
 * viewer sends.
 */
export class PrefixScopedS3Origin extends S3BucketOrigin {
  private accessControl?: S3OriginAccessControl;

  constructor(
    private readonly scopedBucket: IBucket,
    private readonly prefix: string,
  ) {
    super(scopedBucket);
  }

  override bind(scope: Construct, options: OriginBindOptions): OriginBindConfig {
    this.accessControl ??= new S3OriginAccessControl(scope, 'S3OriginAccessControl', {
      signing: Signing.SIGV4_ALWAYS,
    });
    this.scopedBucket.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.scopedBucket.arnForObjects(`${this.prefix}*`)],
        conditions: {
          StringEquals: {
            'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${options.distributionId}`,
          },
        },
      }),
    );
    const config = super.bind(scope, options);
    const originProperty = config.originProperty as CfnDistribution.OriginProperty;
    return {
      ...config,
      originProperty: { ...originProperty, originAccessControlId: this.accessControl.originAccessControlId },
    };
  }

  protected override renderS3OriginConfig(): CfnDistribution.S3OriginConfigProperty {
    return { originAccessIdentity: '' };
  }
}
