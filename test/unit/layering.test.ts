import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');

interface Probe {
  directory: string;
  line: string;
  rule: string;
}

/**
 * Writes one file per probe into the real tree, runs exactly the check `npm run check` runs
 * (`.dependency-cruiser.cjs`) on those files, and removes them again. One run for all probes: each run
 * cruises the probes' whole import graph.
 */
function cruiseProbes(probes: readonly Probe[]): { status: number | null; output: string; files: string[] } {
  const tag = randomBytes(4).toString('hex');
  const files = probes.map((probe, index) => {
    const file = join(probe.directory, `layering-probe-${tag}-${index}.ts`);
    writeFileSync(
      join(root, file),
      `${probe.line}\nexport const probe: unknown = [${importedName(probe.line)}];\n`,
    );
    return file;
  });
  try {
    const run = spawnSync(
      depcruise,
      ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...files],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    return { status: run.status, output: `${run.stdout}${run.stderr}`, files };
  } finally {
    for (const file of files) rmSync(join(root, file), { force: true });
  }
}

describe('the layering rules that npm run check enforces', () => {
  it('pass a domain file that imports only the domain and the schemas', () => {
    const result = cruiseProbes([
      { directory: 'shared/domain', line: "import { addDays } from './time.ts';", rule: '' },
      { directory: 'shared/app', line: "import { addDays } from '../domain/time.ts';", rule: '' },
      {
        directory: 'site/src',
        line: "import type { Kpis } from '../../shared/schemas/snapshot.ts';",
        rule: '',
      },
    ]);
    expect(result.output).toContain('no dependency violations');
    expect(result.status).toBe(0);
  }, 120_000);

  const forbidden: Probe[] = [
    {
      directory: 'shared/domain',
      line: "import { dynamo } from '../adapters/dynamo-client.ts';",
      rule: 'domain-is-pure',
    },
    {
      directory: 'shared/domain',
      line: "import { S3Client } from '@aws-sdk/client-s3';",
      rule: 'domain-is-pure',
    },
    {
      directory: 'shared/domain',
      line: "import { connect } from '../../cli/context.ts';",
      rule: 'domain-is-pure',
    },
    {
      directory: 'shared/domain',
      line: "import { startStack } from '../../local/stack.ts';",
      rule: 'domain-is-pure',
    },
    {
      directory: 'shared/domain',
      line: "import { handler } from '../../functions/health.ts';",
      rule: 'domain-is-pure',
    },
    {
      directory: 'shared/app',
      line: "import { dynamo } from '../adapters/dynamo-client.ts';",
      rule: 'app-is-over-ports',
    },
    {
      directory: 'functions',
      line: "import { handler } from './health.ts';",
      rule: 'function-files-stand-alone',
    },
    {
      directory: 'site/src',
      line: "import { settings } from '../../shared/config/settings.ts';",
      rule: 'site-reads-only-snapshot-types',
    },
    {
      directory: 'site/src',
      line: "import { kpisSchema } from '../../shared/schemas/snapshot.ts';",
      rule: 'site-imports-snapshot-as-types',
    },
    {
      directory: 'infra',
      line: "import { reconcile } from '../shared/domain/operations/reconciliation.ts';",
      rule: 'infra-has-no-domain',
    },
    {
      directory: 'cli',
      line: "import { SQSClient } from '@aws-sdk/client-sqs';",
      rule: 'aws-only-through-adapters',
    },
    {
      directory: 'local',
      line: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      rule: 'aws-only-through-adapters',
    },
    {
      directory: 'local',
      line: "import { connect } from '../cli/context.ts';",
      rule: 'cli-and-local-stay-apart',
    },
    {
      directory: 'cli',
      line: "import { startStack } from '../local/stack.ts';",
      rule: 'cli-does-not-import-local',
    },
  ];

  it('fail on each injected forbidden import, naming the rule and the file', () => {
    const result = cruiseProbes(forbidden);

    expect(result.status).not.toBe(0);
    const reported = forbidden.map((probe, index) =>
      result.output.includes(`error ${probe.rule}: ${result.files[index]} →`)
        ? probe.rule
        : `missed: ${probe.line}`,
    );
    expect(reported).toEqual(forbidden.map((probe) => probe.rule));
    expect(result.output).toContain(`${forbidden.length} dependency violations`);
  }, 120_000);
});

function importedName(line: string): string {
  const name = /import (?:type )?\{ (\w+) \}/.exec(line)?.[1];
  if (!name) throw new Error(`no named import in ${line}`);
  return name;
}
