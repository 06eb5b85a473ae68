import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { z } from 'zod';
import { ENV } from '../shared/config/env-names.ts';
import { topology } from '../shared/topology.ts';
import { EmcStack, EVALUATION_TIMEOUT_MINUTES } from './emc-stack.ts';
import { acknowledgeFindings } from './nag.ts';

/**
 * `cdk -c key=value` hands every value to the app as a string, while cdk.json gives JSON values. A list of
 * addresses is therefore accepted as a JSON array, a JSON array in a string, or a comma-separated string.
 */
const emailList = z.preprocess((value, context) => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!text.startsWith('[')) return text === '' ? [] : text.split(',').map((part) => part.trim());
  try {
    return JSON.parse(text) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: `not a JSON array of addresses: ${text}` });
    return z.NEVER;
  }
}, z.array(z.email()));

/** AWS region codes: `ap-southeast-1`, `eu-central-2`, `us-gov-west-1`. */
const regionCode = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region code such as ap-southeast-1');

export const contextSchema = z.object({
  stage: z.enum(['dev', 'prod']).default('dev'),
  region: regionCode,
  alertEmails: emailList.default([]),
  operatorEmails: emailList.default([]),
  evaluateEveryMinutes: z.coerce
    .number()
    .int()
    .min(
      EVALUATION_TIMEOUT_MINUTES,
      `must be at least the evaluation's timeout, ${EVALUATION_TIMEOUT_MINUTES} minutes`,
    )
    .max(60)
    .default(topology.evaluation.everyMinutes),
});
export type DeployContext = z.infer<typeof contextSchema>;

/** A context value that cannot deploy, named with the reason, instead of a raw validation dump. */
export class DeployContextError extends Error {
  override readonly name = 'DeployContextError';
}

export function parseContext(raw: Record<string, unknown>): DeployContext {
  const result = contextSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'context'}: ${issue.message}`,
    );
    throw new DeployContextError(`Invalid deploy context (cdk.json or -c): ${problems.join('; ')}`);
  }
  return result.data;
}

/**
 * The CDK app with the AwsSolutions checks attached. Tests build it without bundling; the CDK CLI builds
 * it with bundling by the local esbuild, which needs no Docker and no network. The region is the `region`
 * context value (cdk.json), never the CLI profile's: the CLI sets CDK_DEFAULT_REGION even when the profile
 * has none (to us-east-1), and where the data lives is a decision, not a default.
 */
export function buildApp(options: {
  bundling: boolean;
  context?: Record<string, unknown>;
  outdir?: string;
  siteDir?: string;
}): { app: App; stack: EmcStack } {
  const app = new App({
    outdir: options.outdir,
    context: { ...(options.context ?? {}), ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const context = parseContext(
    Object.fromEntries(
      ['stage', 'region', 'alertEmails', 'operatorEmails', 'evaluateEveryMinutes'].map((key) => [
        key,
        app.node.tryGetContext(key),
      ]),
    ),
  );
  const stack = new EmcStack(app, `emc-${context.stage}`, {
    stage: context.stage,
    alertEmails: context.alertEmails,
    operatorEmails: context.operatorEmails,
    evaluateEveryMinutes: context.evaluateEveryMinutes,
    siteDir: options.siteDir,
    env: { account: process.env[ENV.cdkDefaultAccount], region: context.region },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeFindings(stack);
  return { app, stack };
}
