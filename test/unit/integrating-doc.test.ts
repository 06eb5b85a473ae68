import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../docs/openapi.ts';
import { PROBLEMS } from '../../shared/runtime/problem.ts';
import { refusalReasons } from '../../shared/schemas/me.ts';

const guide = readFileSync(new URL('../../docs/integrating.md', import.meta.url), 'utf8');
const compliance = ['compliance.ts', 'coverage.ts', 'feed-rhythm.ts']
  .map((file) => readFileSync(new URL(`../../shared/domain/evaluation/${file}`, import.meta.url), 'utf8'))
  .join('\n');

describe('docs/integrating.md', () => {
  it('has an anchor for every problem type the API sends, and the OpenAPI document links to it', () => {
    const openapi = JSON.stringify(buildOpenApi());
    for (const { slug } of Object.values(PROBLEMS)) {
      expect(guide, slug).toContain(`<a id="problem-${slug}"></a>`);
      expect(guide, slug).toContain(`urn:emc:problem:${slug}`);
    }
    for (const slug of ['validation', 'unauthorized', 'forbidden', 'rate-limited', 'unavailable'])
      expect(openapi, slug).toContain(`docs/integrating.md#problem-${slug}`);
  });

  it('explains every refusal reason and every verdict reason the evaluation can give', () => {
    for (const reason of refusalReasons) expect(guide, reason).toContain(`| \`${reason}\` |`);
    const codes = [...compliance.matchAll(/code: [`']([a-z_]+)/g)].map((match) => match[1] ?? '');
    expect(codes.length).toBeGreaterThan(8);
    for (const code of new Set(codes)) expect(guide, code).toMatch(new RegExp(`\`${code}[:\`]`));
  });
});
