import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV, QUEUE_URL_ENV } from '../../shared/config/env-names.ts';

const ROOTS = ['functions', 'shared', 'local', 'infra', 'cli'];
const HOME = join('shared', 'config', 'env-names.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && path !== HOME ? [path] : [];
  });
}

/** Code that spells a name itself: a string literal, a property read, or an object key. */
const spellings = (name: string): RegExp =>
  new RegExp(`['"]${name}['"]|\\.${name}\\b|^\\s*${name}\\s*:|[{,]\\s*${name}\\s*:`, 'm');

describe('environment variable names', () => {
  const files = ROOTS.flatMap(sources).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

  it('are spelled in code only in shared/config/env-names.ts', () => {
    const names = [...Object.values(ENV), ...Object.values(QUEUE_URL_ENV)];
    const found = names.flatMap((name) =>
      files.filter((file) => spellings(name).test(file.text)).map((file) => `${name} in ${file.path}`),
    );
    expect(found).toEqual([]);
  });

  it('would notice a name spelled again', () => {
    expect(spellings(ENV.stateTable).test("env: ['STATE_TABLE']")).toBe(true);
    expect(spellings(ENV.stateTable).test('process.env.STATE_TABLE')).toBe(true);
    expect(spellings(ENV.stateTable).test('  STATE_TABLE: z.string(),')).toBe(true);
    expect(spellings(ENV.stateTable).test(' * the state table (`STATE_TABLE`)')).toBe(false);
  });
});
