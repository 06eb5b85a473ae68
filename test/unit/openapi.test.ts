import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi, renderOpenApi } from '../../docs/openapi.ts';
import { snapshotJsonSchemas } from '../../docs/schemas.ts';

describe('docs/openapi.json', () => {
  it('has snapshot JSON Schemas generated from the current zod schemas (run `npm run docs:generate`)', () => {
    for (const [name, text] of Object.entries(snapshotJsonSchemas())) {
      expect(readFileSync(new URL(`../../docs/schemas/${name}`, import.meta.url), 'utf8'), name).toBe(text);
    }
  });

  it('is the document generated from the current schemas (run `npm run docs:generate` to refresh it)', () => {
    const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderOpenApi());
  });

  it('gives every field integrators send a description, and every leaf field an example', () => {
    const schemas = (buildOpenApi().components as { schemas: Record<string, Schema> }).schemas;
    const requestSchemas = [
      'DossierEvent',
      'DossierEventsRequest',
      'Heartbeat',
      'Procedure',
      'Catalog',
      'DailyTotals',
    ];
    const missing: string[] = [];
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining([...requestSchemas, 'LegacyTrackingMCDT']));
    for (const name of [...requestSchemas, 'LegacyTrackingMCDT']) {
      const schema = schemas[name];
      for (const [field, property] of Object.entries(schema?.properties ?? {})) {
        if (!property.description) missing.push(`${name}.${field} description`);
        const isArrayOfRefs = property.type === 'array' && property.items?.$ref !== undefined;
        if (!isArrayOfRefs && !property.examples?.length) missing.push(`${name}.${field} example`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives procedure codes their pattern and the Problem type the URN the API sends', () => {
    const schemas = (buildOpenApi().components as { schemas: Record<string, unknown> }).schemas as Record<
      string,
      { properties?: Record<string, { pattern?: string; examples?: unknown[] }> }
    >;
    for (const name of ['DossierEvent', 'Procedure']) {
      const pattern = schemas[name]?.properties?.procedureCode?.pattern ?? '';
      expect(pattern, name).not.toBe('');
      expect(new RegExp(pattern).test('1.001234'), name).toBe(true);
      expect(new RegExp(pattern).test('9.9'), name).toBe(false);
    }
    expect(schemas.Problem?.properties?.type?.examples).toEqual(['urn:emc:problem:validation']);
    expect(JSON.stringify(buildOpenApi())).not.toContain('https://emc.example/problems');
  });
});

interface Schema {
  properties?: Record<
    string,
    { description?: string; examples?: unknown[]; type?: string; items?: { $ref?: string } }
  >;
}
