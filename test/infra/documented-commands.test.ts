import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cdkJsonContext } from './synth.ts';

/**
 * Every `cdk deploy` command of the README and docs/deploy.md, run through the real CDK CLI as `cdk list`,
 * which runs the app exactly as `cdk deploy` would (cdk.json, then each `-c key=value` handed over as a
 * string, cdk-nag's checks at synthesis) but skips bundling and needs no account. `npm run synth` covers the
 * bundling in CI. The CLI's own default region is set to us-east-1, as it is for a profile that names none.
 */
const DOCUMENTS = ['README.md', 'docs/deploy.md'];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');
const run = promisify(execFile);

/** The shell commands of a Markdown file's sh code blocks, with backslash continuations joined. */
function shellCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map(
    (match) => match[1] ?? '',
  );
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s+/g, ' ').trim())
      .filter((line) => line && !line.startsWith('#')),
  );
}

/** Splits a command line into words the way sh does for the quoting these docs use: '…', "…" and plain words. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] ?? '';
    if (char === "'" || char === '"') {
      const end = line.indexOf(char, i + 1);
      if (end < 0) throw new Error(`unterminated ${char} in: ${line}`);
      current += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (char === ' ' || char === '\t') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else if (char === '#' && !inWord) {
      break;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Options of `cdk deploy` that only the deployment itself reads; `cdk list` is run without them. */
const DEPLOY_ONLY = new Set(['--outputs-file', '-O', '--require-approval']);
const FLAGS = new Set(['--all']);

/** A documented `cdk deploy` line as `cdk list` arguments, with its `-c` context; an unknown option fails. */
function asList(words: string[]): { args: string[]; context: Record<string, string> } {
  const start = words.indexOf('deploy');
  if (start < 0 || words[start - 1] !== 'cdk')
    throw new Error(`not a cdk deploy command: ${words.join(' ')}`);
  const args: string[] = [];
  const context: Record<string, string> = {};
  for (let i = start + 1; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '-c' || word === '--context') {
      const assignment = words[++i] ?? '';
      const at = assignment.indexOf('=');
      if (at < 1) throw new Error(`context argument is not key=value: ${assignment}`);
      context[assignment.slice(0, at)] = assignment.slice(at + 1);
      args.push('-c', assignment);
    } else if (DEPLOY_ONLY.has(word)) {
      i++;
    } else if (FLAGS.has(word)) {
      args.push(word);
    } else {
      throw new Error(`unexpected argument in a documented deploy command: ${word}`);
    }
  }
  return { args, context };
}

const listedStacks = z.array(z.object({ name: z.string(), environment: z.object({ region: z.string() }) }));
const templateSchema = z.object({
  Resources: z.record(z.string(), z.object({ Type: z.string(), Properties: z.unknown().optional() })),
});

/** Runs the CDK CLI with no AWS credentials or profile, so it neither looks up an account nor reaches out. */
async function cdkList(args: string[]): Promise<{ stacks: z.infer<typeof listedStacks>; outdir: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-list-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) env[name] = value;
  Object.assign(env, {
    CDK_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(outdir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(outdir, 'no-credentials'),
  });
  const { stdout } = await run(
    CDK,
    ['list', '--long', '--json', '--no-notices', '--output', outdir, ...args],
    { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
  );
  return { stacks: listedStacks.parse(JSON.parse(stdout)), outdir };
}

const documented = DOCUMENTS.flatMap((path) =>
  shellCommands(readFileSync(join(ROOT, path), 'utf8')).map((line) => ({ path, line })),
);
const deploys = documented.filter(({ line }) => /\bcdk deploy\b/.test(line));

describe('the documented deploy commands', () => {
  it('are found in both the README and docs/deploy.md', () => {
    expect(new Set(deploys.map((command) => command.path))).toEqual(new Set(DOCUMENTS));
  });

  it('split into words as sh splits them', () => {
    expect(
      shellWords(`npx cdk deploy -c stage=prod -c 'alertEmails=["a@b.vn"]' --outputs-file out.json # x`),
    ).toEqual([
      'npx',
      'cdk',
      'deploy',
      '-c',
      'stage=prod',
      '-c',
      'alertEmails=["a@b.vn"]',
      '--outputs-file',
      'out.json',
    ]);
  });

  it('bootstrap the region the stack deploys to', () => {
    const bootstraps = documented.filter(({ line }) => /\bcdk bootstrap\b/.test(line));
    expect(new Set(bootstraps.map((command) => command.path))).toEqual(new Set(DOCUMENTS));
    for (const { line } of bootstraps) expect(line).toContain(`aws://<account>/${cdkJsonContext.region}`);
  });

  for (const { path, line } of deploys) {
    it(`synthesise through the CDK CLI as written in ${path}: ${line}`, async () => {
      const { args, context } = asList(shellWords(line));
      const { stacks, outdir } = await cdkList(args);
      const stage = context.stage ?? 'dev';
      expect(stacks).toEqual([
        expect.objectContaining({
          name: `emc-${stage}`,
          environment: expect.objectContaining({ region: context.region ?? cdkJsonContext.region }),
        }),
      ]);
      const template = templateSchema.parse(
        JSON.parse(readFileSync(join(outdir, `emc-${stage}.template.json`), 'utf8')),
      );
      const subscribed = Object.values(template.Resources)
        .filter((resource) => resource.Type === 'AWS::SNS::Subscription')
        .map((resource) => z.object({ Endpoint: z.string() }).parse(resource.Properties).Endpoint);
      // Every address written in the command, whichever list syntax it uses, must be subscribed.
      const expected = ['alertEmails', 'operatorEmails'].flatMap(
        (key) => context[key]?.match(/[^\s",[\]]+@[^\s",[\]]+/g) ?? [],
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(subscribed.sort()).toEqual(expected.sort());
    }, 300_000);
  }

  it('fail through the CDK CLI, naming the setting, when an address is not one', async () => {
    await expect(cdkList(['-c', 'stage=prod', '-c', 'operatorEmails=oncall@'])).rejects.toThrow(
      /Invalid deploy context .*operatorEmails\.0/,
    );
  }, 300_000);
});
