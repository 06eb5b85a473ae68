import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoRegistry } from '../../simulator/registry.ts';

const DOCUMENTS = ['README.md', 'docs/integrating.md', 'docs/deploy.md'];
const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** What the examples send for unit H48: systems, agencies and the agency part of dossier codes. */
function identifiers(text: string): { systems: string[]; agencies: string[] } {
  const systems = [...text.matchAll(/\\?"systemId\\?"\s*:\s*\\?"([^"\\]+)/g)].map((m) => m[1] ?? '');
  const agencies = [
    ...[...text.matchAll(/\\?"agencyCode\\?"\s*:\s*\\?"([^"\\]+)/g)].map((m) => m[1] ?? ''),
    ...[
      ...text.matchAll(/(?:dossierCode\\?"\s*:\s*\\?"|codeProfile=)(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})-/g),
    ].map((m) => m[1] ?? ''),
  ];
  return { systems, agencies };
}

describe('the documented examples', () => {
  const h48 = demoRegistry().find((unit) => unit.unitCode === 'H48');
  const registered = {
    systems: h48?.systems ?? [],
    agencies: (h48?.agencies ?? []).map((a) => a.agencyCode),
  };

  it('find the identifiers they check', () => {
    expect(
      identifiers('{"systemId":"x","agencyCode":"000.00.10.H48","dossierCode":"000.00.53.H48-1"}'),
    ).toEqual({
      systems: ['x'],
      agencies: ['000.00.10.H48', '000.00.53.H48'],
    });
  });

  for (const path of DOCUMENTS)
    it(`in ${path} use systems and agencies the demo registry gives H48, so they draw no warning`, () => {
      const found = identifiers(read(path));
      expect(found.systems.length + found.agencies.length).toBeGreaterThan(0);
      for (const system of found.systems) expect(registered.systems).toContain(system);
      for (const agency of found.agencies) expect(registered.agencies).toContain(agency);
    });

  it('write a key to a file with npm run -s, so npm’s banner stays out of it', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm run -s emc -- keys issue H48 > key.txt');
    expect(readme).not.toMatch(/npm run emc -- keys issue [^\n]*>/);
  });
});
