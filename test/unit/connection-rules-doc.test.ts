import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.ts';
import { criteriaFor } from '../../shared/domain/evaluation/compliance.ts';
import { connectionRules } from '../../shared/domain/me/describe-unit.ts';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
/** 1800 written as 1800 or 1,800. */
const number = (n: number): string => `(?:${n}|${n.toLocaleString('en-US')})`;

describe('the connection rules as the README, the OpenAPI document and operations.md publish them', () => {
  // The defaults as GET /v1/me states them for a unit without overrides.
  const rules = connectionRules(criteriaFor(loadSettings({}), ''), []);
  const openapi = (JSON.parse(read('docs/openapi.json')) as { info: { description: string } }).info
    .description;
  const documents: [string, string][] = [
    ['README.md', read('README.md')],
    ['docs/openapi.json', openapi],
    ['docs/operations.md', read('docs/operations.md')],
  ];

  for (const [path, text] of documents)
    it(`are stated in ${path} with the configured values`, () => {
      expect(text).toMatch(new RegExp(`every ${number(rules.heartbeat.expectedEverySeconds)} s`));
      expect(text).toMatch(
        new RegExp(
          `late after (?:the longest of )?${number(rules.heartbeat.lateAfterSeconds)} s|${number(rules.heartbeat.lateAfterSeconds)} s by default`,
        ),
      );
      expect(text).toMatch(new RegExp(`${rules.dossierFeed.silenceHours} h`));
      expect(text).toMatch(new RegExp(`${rules.catalog.maxAgeDays} days`));
      expect(text).toMatch(new RegExp(`${rules.reconciliation.lookbackDays} days`));
      expect(text).toMatch(/today excluded/);
    });

  it('states the late time the evaluation applies, not the bare grace', () => {
    expect(rules.heartbeat.lateAfterSeconds).toBeGreaterThan(rules.heartbeat.graceSeconds);
    expect(openapi).not.toMatch(new RegExp(`late after ${rules.heartbeat.graceSeconds} s`));
  });
});

describe('the heartbeat grace GET /v1/me states', () => {
  const criteria = criteriaFor(loadSettings({}), '');
  const lateAfter = (minutes: number): number =>
    connectionRules(criteria, [], minutes * 60_000).heartbeat.lateAfterSeconds;

  it('covers two of the evaluation intervals it is given, once they outgrow the other terms', () => {
    // The defaults: 900 s of grace and three missed heartbeats of 300 s; two 15-minute intervals are 1,800 s.
    expect(lateAfter(15)).toBe(1800);
    expect(lateAfter(30)).toBe(3600);
    expect(lateAfter(7.5)).toBe(900);
    expect(lateAfter(7.5 + 1 / 60)).toBe(902);
  });
});
