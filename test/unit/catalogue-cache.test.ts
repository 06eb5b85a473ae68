import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CachedProcedureCatalog } from '../../shared/adapters/cached-procedure-catalog.ts';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-southeast-1' }));
const mock = mockClient(doc);
const T = Date.parse('2026-11-23T03:30:00Z');
const ITEM = {
  pk: 'K#H44',
  sk: 'current',
  procedureLevels: { '1.001000': 'full', '1.001001': 'none' },
  feeBearingProcedures: ['1.001000'],
};
/** Not retryable, so the read fails at once instead of backing off. */
const refused = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });

beforeEach(() => mock.reset());

describe('the units’ catalogues as the legacy feed reads them', () => {
  it('reads the unit’s current catalogue item and keeps it for the configured age, to the millisecond', async () => {
    mock.on(GetCommand).resolves({ Item: ITEM });
    let now = T;
    const catalogue = new CachedProcedureCatalog('state', 300, () => now, doc);
    expect(Object.fromEntries((await catalogue.procedures('H44')) ?? [])).toEqual({
      '1.001000': { onlineLevel: 'full', feeBearing: true },
      '1.001001': { onlineLevel: 'none', feeBearing: false },
    });
    expect(mock.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'state',
      Key: { pk: 'K#H44', sk: 'current' },
    });
    now = T + 299_999;
    await catalogue.procedures('H44');
    expect(mock.commandCalls(GetCommand)).toHaveLength(1);
    now = T + 300_000;
    await catalogue.procedures('H44');
    expect(mock.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('a failed read derives nothing and is tried again 30 seconds later, not on every record', async () => {
    mock.on(GetCommand).rejectsOnce(refused).resolves({ Item: ITEM });
    let now = T;
    const catalogue = new CachedProcedureCatalog('state', 300, () => now, doc);
    expect(await catalogue.procedures('H44')).toBeUndefined();
    now = T + 29_999;
    expect(await catalogue.procedures('H44')).toBeUndefined();
    expect(mock.commandCalls(GetCommand)).toHaveLength(1);
    now = T + 30_000;
    expect((await catalogue.procedures('H44'))?.get('1.001000')).toEqual({
      onlineLevel: 'full',
      feeBearing: true,
    });
    expect(mock.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('a unit without a catalogue reads as none, and each unit is read for itself', async () => {
    mock.on(GetCommand, { Key: { pk: 'K#H09', sk: 'current' } }).resolves({});
    mock.on(GetCommand, { Key: { pk: 'K#H44', sk: 'current' } }).resolves({ Item: ITEM });
    const catalogue = new CachedProcedureCatalog('state', 300, () => T, doc);
    expect(await catalogue.procedures('H09')).toBeUndefined();
    expect((await catalogue.procedures('H44'))?.size).toBe(2);
    expect(mock.commandCalls(GetCommand)).toHaveLength(2);
  });
});
