import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { z } from 'zod';
import { EmcStack } from './emc-stack.ts';
import { acknowledgeFindings } from './nag.ts';

const contextSchema = z.object({
  stage: z.enum(['dev', 'prod']).default('dev'),
  alertEmails: z.array(z.email()).default([]),
  operatorEmails: z.array(z.email()).default([]),
  evaluateEveryMinutes: z.coerce.number().int().min(1).max(60).default(15),
});

/**
 * The CDK app with the AwsSolutions checks attached. Tests build it without bundling; the CDK CLI builds
 * it with bundling by the local esbuild, which needs no Docker and no network.
 */
export function buildApp(options: {
  bundling: boolean;
  context?: Record<string, unknown>;
  outdir?: string;
}): { app: App; stack: EmcStack } {
  const app = new App({
    outdir: options.outdir,
    context: { ...(options.context ?? {}), ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const context = contextSchema.parse({
    stage: app.node.tryGetContext('stage'),
    alertEmails: app.node.tryGetContext('alertEmails'),
    operatorEmails: app.node.tryGetContext('operatorEmails'),
    evaluateEveryMinutes: app.node.tryGetContext('evaluateEveryMinutes'),
  });
  const stack = new EmcStack(app, `emc-${context.stage}`, {
    ...context,
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION ?? 'ap-southeast-1',
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeFindings(stack);
  return { app, stack };
}
