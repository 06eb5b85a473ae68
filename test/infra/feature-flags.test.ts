import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cdkJsonContext } from './synth.ts';

/**
 * CDK's feature flags change what a construct synthesises. Every flag `cdk init` would set today
 * (aws-cdk-lib's recommended-feature-flags.json) that concerns the core or a module this stack imports is
 * decided in cdk.json, and every decision against the recommendation is explained in docs/deploy.md.
 */
const require = createRequire(import.meta.url);
const recommended = z
  .record(z.string(), z.unknown())
  .parse(require('aws-cdk-lib/recommended-feature-flags.json'));
const deployGuide = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
const infraDir = new URL('../../infra/', import.meta.url);

/** The aws-cdk-lib modules the stack's code imports: `aws-lambda`, `aws-lambda-nodejs`, `aws-sns`, … */
const usedModules = new Set(
  readdirSync(infraDir)
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) =>
      [...readFileSync(new URL(name, infraDir), 'utf8').matchAll(/from 'aws-cdk-lib\/([a-z0-9-]+)'/g)].map(
        (match) => match[1] ?? '',
      ),
    ),
);

/** `@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion` → `aws-lambda-nodejs`. */
const moduleOf = (flag: string): string => flag.replace(/^@[^/]+\//, '').split(':')[0] ?? '';
const applies = (flag: string): boolean => moduleOf(flag) === 'core' || usedModules.has(moduleOf(flag));

describe('the CDK feature flags', () => {
  it('are read from the modules the stack imports', () => {
    for (const module of ['aws-lambda', 'aws-lambda-nodejs', 'aws-sns', 'aws-s3', 'aws-cloudfront'])
      expect(usedModules.has(module), module).toBe(true);
    expect(moduleOf('@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion')).toBe('aws-lambda-nodejs');
    expect(moduleOf('@aws-cdk/core:explicitStackTags')).toBe('core');
    expect(applies('@aws-cdk/aws-ecs:removeEmptyLoadBalancers')).toBe(false);
  });

  it('are each set in cdk.json when they concern the core or a module the stack uses', () => {
    const undecided = Object.keys(recommended).filter((flag) => applies(flag) && !(flag in cdkJsonContext));
    expect(undecided).toEqual([]);
  });

  it('are explained in docs/deploy.md wherever cdk.json departs from the recommended value', () => {
    const departures = Object.keys(cdkJsonContext).filter(
      (flag) =>
        flag in recommended && JSON.stringify(cdkJsonContext[flag]) !== JSON.stringify(recommended[flag]),
    );
    expect(departures.length).toBeGreaterThan(0);
    for (const flag of departures) expect(deployGuide, flag).toContain(`\`${flag}\``);
  });

  it('name no flag that this version of aws-cdk-lib does not know', () => {
    const { FLAGS } = require('aws-cdk-lib/cx-api') as { FLAGS: Record<string, unknown> };
    for (const flag of Object.keys(cdkJsonContext).filter((key) => key.startsWith('@aws-cdk'))) {
      expect(FLAGS, flag).toHaveProperty([flag]);
    }
  });
});
