import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { z } from 'zod';
import { buildApp } from '../../infra/build-app.ts';
import type { EmcStack } from '../../infra/emc-stack.ts';

/** The context cdk.json gives every `cdk` command; the CLI lays `-c` values over it, as strings. */
export const cdkJsonContext: Record<string, unknown> = z
  .object({ context: z.record(z.string(), z.unknown()) })
  .parse(JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'))).context;

/** Synthesises the app the way the CDK CLI does (cdk.json context, then overrides), without bundling. */
export function synth(
  context: Record<string, unknown> = {},
  options: { siteDir?: string } = {},
): { template: Template; stack: EmcStack; assembly: CloudAssembly } {
  const { app, stack } = buildApp({
    bundling: false,
    context: { ...cdkJsonContext, ...context },
    outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    siteDir: options.siteDir,
  });
  const assembly = app.synth();
  return { template: Template.fromStack(stack), stack, assembly };
}
