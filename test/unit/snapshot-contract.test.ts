import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The committed JSON Schemas are generated from the zod schemas, and the published files are validated against
// them: a check that cannot notice a field dropped or retyped in the zod schema. These expectations are written
// by hand from docs/snapshots.md, so such a change fails here until the contract is changed on purpose.

type Schema = {
  $ref?: string;
  $defs?: Record<string, Schema>;
  type?: string | string[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
};

function load(name: string): { root: Schema; resolve: (schema: Schema) => Schema } {
  const root = JSON.parse(
    readFileSync(new URL(`../../docs/schemas/${name}`, import.meta.url), 'utf8'),
  ) as Schema;
  const resolve = (schema: Schema): Schema => {
    let at = schema;
    while (at.$ref) {
      const name = at.$ref.replace('#/$defs/', '');
      const next = root.$defs?.[name];
      if (!next) throw new Error(`${at.$ref}: not in $defs`);
      at = next;
    }
    return at;
  };
  return { root: resolve(root), resolve };
}

/** The shape of one KPI field, read from its JSON Schema. */
function shape(schema: Schema): string {
  const one = (s: Schema): string => {
    if (s.type === 'null') return 'null';
    if (s.type === 'integer' && s.minimum === 0) return 'count';
    if (s.type === 'number' && s.minimum === 0 && s.maximum === 1) return 'share';
    return JSON.stringify(s);
  };
  if (schema.anyOf) {
    const kinds = schema.anyOf.map(one).sort();
    if (kinds.join() === 'null,share') return 'rate';
    if (kinds.join() === 'count,null') return 'count or null';
    return JSON.stringify(schema);
  }
  return one(schema);
}

const PERIODS = ['today', 'last7Days', 'monthToDate', 'quarterToDate', 'yearToDate'];
// docs/snapshots.md, the table under `latest.json`: every figure of a period, and its kind.
const RATES = [
  'onlineRate',
  'fullOnlineRate',
  'processedOnlineRate',
  'onTimeRate',
  'onlinePaymentRate',
  'digitizedRate',
  'satisfactionRate',
  'onlineServicesWithDossiersRate',
  'proceduresOnlineRate',
];
// "null for today and 7 days, and when the catalogue names no procedures"
const NULLABLE_COUNTS = ['onlineServicesWithDossiers', 'proceduresOnlineOutsideCatalog'];
const COUNTS = [
  'dossiersReceived',
  'dossiersReceivedOnline',
  'dossiersReceivedPostal',
  'dossiersFromNationalPortal',
  'dossiersResultByPost',
  'fullOnlineEligible',
  'fullOnlineDossiers',
  'dossiersResolved',
  'dossiersResolvedOnline',
  'dossiersWithDueDate',
  'dossiersWithoutDueDate',
  'dossiersNoDueDate',
  'dossiersOverdueOpen',
  'onTimeDenominator',
  'dossiersOnTime',
  'dossiersWithFee',
  'onlinePayments',
  'onlinePaymentAmountVnd',
  'dossiersDigitized',
  'ratings',
  'satisfiedRatings',
  'onlineServicesOffered',
  'proceduresTotal',
  'proceduresOnline',
  'proceduresFullOnline',
];
const expectedFigures = Object.fromEntries([
  ...RATES.map((name) => [name, 'rate']),
  ...NULLABLE_COUNTS.map((name) => [name, 'count or null']),
  ...COUNTS.map((name) => [name, 'count']),
]);

function figuresOf(period: Schema): Record<string, string> {
  return Object.fromEntries(Object.entries(period.properties ?? {}).map(([name, s]) => [name, shape(s)]));
}

describe('the published snapshot contract, by hand', () => {
  const { root: latest, resolve } = load('latest.schema.json');
  const props = (schema: Schema) => resolve(schema).properties ?? {};

  it('latest.json has the documented top-level fields, required, and no others', () => {
    expect(Object.keys(latest.properties ?? {}).sort()).toEqual(
      [
        'schemaVersion',
        'generatedAt',
        'generation',
        'unitGenerations',
        'asOf',
        'timeZone',
        'connection',
        'national',
        'byKind',
        'evaluation',
        'units',
      ].sort(),
    );
    expect([...(latest.required ?? [])].sort()).toEqual(
      [
        'schemaVersion',
        'generatedAt',
        'asOf',
        'timeZone',
        'connection',
        'national',
        'byKind',
        'units',
      ].sort(),
    );
    expect(latest.additionalProperties).toBe(false);
    expect(latest.properties?.schemaVersion).toMatchObject({ const: 1 });
    expect(Object.keys(props(latest.properties?.connection ?? {})).sort()).toEqual(
      ['byStatus', 'connected', 'notConnected', 'registered'].sort(),
    );
  });

  it('national and every unit row carry kpis per period, targets and a score', () => {
    const national = resolve(latest.properties?.national ?? {});
    expect([...(national.required ?? [])].sort()).toEqual(
      ['kpis', 'previous', 'previous7Days', 'score', 'series', 'targets'].sort(),
    );
    const row = resolve(resolve(latest.properties?.units ?? {}).items ?? {});
    expect([...(row.required ?? [])].sort()).toEqual(
      ['unitCode', 'name', 'kind', 'connection', 'kpis', 'targets', 'score'].sort(),
    );
    for (const kpis of [national.properties?.kpis, row.properties?.kpis]) {
      const periods = resolve(kpis ?? {});
      expect(Object.keys(periods.properties ?? {})).toEqual(PERIODS);
      expect([...(periods.required ?? [])].sort()).toEqual([...PERIODS].sort());
    }
  });

  it('every period publishes each documented figure with its kind: a count, or a rate that is null or in [0, 1]', () => {
    const periods = resolve(resolve(latest.properties?.national ?? {}).properties?.kpis ?? {});
    for (const period of PERIODS) {
      const schema = resolve(periods.properties?.[period] ?? {});
      expect(figuresOf(schema), period).toEqual(expectedFigures);
      expect([...(schema.required ?? [])].sort(), period).toEqual(Object.keys(expectedFigures).sort());
    }
  });

  it('a score has its total, measured maximum, scaled value and band, each nullable but the maximum', () => {
    const score = resolve(resolve(latest.properties?.national ?? {}).properties?.score ?? {});
    expect(score.properties?.total?.type).toEqual(['number', 'null']);
    expect(score.properties?.measuredMax?.type).toBe('number');
    expect(score.properties?.scaled?.type).toEqual(['number', 'null']);
    expect(score.properties?.band?.type).toEqual(['string', 'null']);
  });

  it('a unit file has the unit row, 90 days of kpis, its agencies and its connection history', () => {
    const { root: unit, resolve: resolveUnit } = load('unit.schema.json');
    expect([...(unit.required ?? [])].sort()).toEqual(
      ['schemaVersion', 'generatedAt', 'unit', 'series', 'agencies', 'history'].sort(),
    );
    expect(unit.additionalProperties).toBe(false);
    expect(resolveUnit(unit.properties?.series ?? {}).type).toBe('array');
    const agency = resolveUnit(resolveUnit(unit.properties?.agencies ?? {}).items ?? {});
    expect(agency.required).toEqual(
      expect.arrayContaining(['agencyCode', 'name', 'level', 'kpis', 'targets']),
    );
    const agencyPeriods = resolveUnit(agency.properties?.kpis ?? {});
    expect(Object.keys(agencyPeriods.properties ?? {})).toEqual(PERIODS);
    const unitRow = resolveUnit(unit.properties?.unit ?? {});
    expect(unitRow.required).toEqual(
      expect.arrayContaining(['unitCode', 'name', 'kind', 'connection', 'kpis', 'targets', 'score']),
    );
  });
});
