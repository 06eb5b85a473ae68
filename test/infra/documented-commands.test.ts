import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { synth } from './synth.ts';

/**
 * Every `cdk deploy` command of the README and docs/deploy.md, synthesised as the CDK CLI would run it: the
 * cdk.json context with each `-c key=value` laid over it as a string (the CLI never parses those values).
 * This is `cdk synth` offline and without bundling; `npm run synth` covers the bundling in CI.
 */
const DOCUMENTS = ['README.md', 'docs/deploy.md'];

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
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

const WITH_VALUE = new Set(['--outputs-file', '-O', '--require-approval', '--profile']);
const FLAGS = new Set(['--all']);

/** The `-c` context of a documented `cdk deploy` line; any option this test does not know fails it. */
function deployContext(words: string[]): Record<string, string> {
  const start = words.indexOf('deploy');
  const context: Record<string, string> = {};
  for (let i = start + 1; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '-c' || word === '--context') {
      const assignment = words[++i] ?? '';
      const at = assignment.indexOf('=');
      if (at < 1) throw new Error(`context argument is not key=value: ${assignment}`);
      context[assignment.slice(0, at)] = assignment.slice(at + 1);
    } else if (WITH_VALUE.has(word)) {
      i++;
    } else if (!FLAGS.has(word)) {
      throw new Error(`unexpected argument in a documented deploy command: ${word}`);
    }
  }
  return context;
}

const documented = DOCUMENTS.flatMap((path) =>
  shellCommands(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'))
    .filter((line) => /\bcdk deploy\b/.test(line))
    .map((line) => ({ path, line })),
);

describe('the documented deploy commands', () => {
  it('are found in both the README and docs/deploy.md', () => {
    expect(new Set(documented.map((command) => command.path))).toEqual(new Set(DOCUMENTS));
  });

  it('split into words as sh splits them', () => {
    expect(
      shellWords(`npx cdk deploy -c stage=prod -c 'alertEmails=["a@b.vn"]' --outputs-file out.json`),
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

  for (const { path, line } of documented) {
    it(`synthesise as written in ${path}: ${line}`, () => {
      const context = deployContext(shellWords(line));
      const { template, stack } = synth(context);
      expect(stack.stackName).toBe(`emc-${context.stage ?? 'dev'}`);
      const subscribed = Object.values(template.findResources('AWS::SNS::Subscription')).map(
        (s) => (s as { Properties: { Endpoint: string } }).Properties.Endpoint,
      );
      // Every address written in the command, whichever list syntax it uses, must be subscribed.
      const expected = ['alertEmails', 'operatorEmails'].flatMap(
        (key) => context[key]?.match(/[^\s",[\]]+@[^\s",[\]]+/g) ?? [],
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(subscribed.sort()).toEqual(expected.sort());
    });
  }
});
