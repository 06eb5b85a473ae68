import { describe, expect, it } from 'vitest';
import type { CatalogProcedure, ProcedureCatalogPort } from '../../shared/domain/ports.ts';
import type { SenderProfileName } from '../../shared/schemas/legacy-emc.ts';
import {
  dotNetJson,
  openCpsForm,
  openCpsJson,
  type SenderRequest,
  type TrueDossier,
} from '../../simulator/senders.ts';
import { type Harness, ingestHarness } from '../helpers/ingest-harness.ts';

const dossier: TrueDossier = {
  dossierCode: '000.00.53.H48-261118-0042',
  procedureCode: '1.000494',
  procedureName: 'Cấp giấy phép xây dựng',
  status: 2,
  channel: 2,
  onlineLevel: 'full',
  paid: undefined,
  resultByPost: false,
  fromNationalPortal: false,
  officer: '0123456789',
};

/** The unit's synced catalogue, in memory; `reads` counts the lookups, `failing` makes every read fail. */
class MemoryCatalogue implements ProcedureCatalogPort {
  reads = 0;
  failing = false;
  constructor(private readonly byUnit: Record<string, Record<string, CatalogProcedure>>) {}
  async procedures(unitCode: string): Promise<ReadonlyMap<string, CatalogProcedure> | undefined> {
    this.reads++;
    if (this.failing) throw new Error('catalogue unavailable');
    const procedures = this.byUnit[unitCode];
    return procedures ? new Map(Object.entries(procedures)) : undefined;
  }
}

const H48_CATALOGUE = {
  H48: {
    '1.000494': { onlineLevel: 'full', feeBearing: true },
    '1.000495': { onlineLevel: 'partial', feeBearing: false },
  },
} as const satisfies Record<string, Record<string, CatalogProcedure>>;

function setup(sender: SenderProfileName, catalogue = new MemoryCatalogue(H48_CATALOGUE)) {
  const h = ingestHarness({ catalogue });
  return { h, key: h.keys.issue('H48', sender), catalogue };
}

async function sent(h: Harness, key: string, request: SenderRequest): Promise<Record<string, unknown>> {
  const response = await h.call('legacy', {
    body: request.body,
    headers: { 'content-type': request.contentType },
    pathParameters: { siteKey: key },
  });
  expect(response.status).toBe(204);
  const events = (h.queue.messages('dossier-events') as { events: Record<string, unknown>[] }[]).flatMap(
    (m) => m.events,
  );
  expect(events).toHaveLength(1);
  return events[0] ?? {};
}

describe('facts a legacy record cannot say, taken from the unit’s catalogue by codeTTHC', () => {
  it.each([
    ['form', openCpsForm],
    ['JSON', openCpsJson],
  ])('OpenCPS (%s): the level comes from the catalogue, its constant level is ignored', async (_, build) => {
    const { h, key } = setup('opencps');
    const event = await sent(h, key, build({ ...dossier, procedureCode: '1.000495' }));
    expect(event).toMatchObject({ onlineLevel: 'partial', channel: 2 });
    // Its payment path is a constant: a fee alone, with no way to know an online payment, is not derived.
    expect(event).not.toHaveProperty('payment');
  });

  it('the .NET system: its folded level 4 gives way to the catalogue’s level', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    const event = await sent(
      h,
      key,
      dotNetJson({ ...dossier, procedureCode: '1.000495', onlineLevel: 'full' }),
    );
    expect(event).toMatchObject({ onlineLevel: 'partial' });
  });

  it('the .NET system: "no payment made" becomes "fee-bearing, not paid online" for a procedure with a fee', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    const event = await sent(h, key, dotNetJson({ ...dossier, paid: undefined }));
    expect(event).toMatchObject({ payment: { required: true, online: false, amountVnd: 0 } });
  });

  it('the .NET system: "no payment made" for a procedure without a fee is "no fee"', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    const event = await sent(h, key, dotNetJson({ ...dossier, procedureCode: '1.000495', paid: undefined }));
    expect(event).toMatchObject({ payment: { required: false, online: false } });
  });

  it('the .NET system: a payment it reports wins over the catalogue', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    const event = await sent(h, key, dotNetJson({ ...dossier, procedureCode: '1.000495', paid: 'online' }));
    expect(event).toMatchObject({ payment: { required: true, online: true } });
  });

  it('finds a procedure whose code carries the unit suffix the portals append', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    const event = await sent(h, key, dotNetJson({ ...dossier, procedureCode: '1.000495.000.00.00.H48' }));
    expect(event).toMatchObject({ onlineLevel: 'partial', procedureCode: '1.000495' });
  });

  it('derives nothing for a procedure the catalogue does not list', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    const event = await sent(h, key, dotNetJson({ ...dossier, procedureCode: '1.000999' }));
    expect(event).not.toHaveProperty('onlineLevel');
    expect(event).not.toHaveProperty('payment');
  });

  it('derives nothing for a unit without a synced catalogue', async () => {
    const { h, key } = setup('opencps', new MemoryCatalogue({ H49: H48_CATALOGUE.H48 }));
    const event = await sent(h, key, openCpsForm(dossier));
    expect(event).not.toHaveProperty('onlineLevel');
  });

  it('accepts the record, deriving nothing, when the catalogue cannot be read', async () => {
    const catalogue = new MemoryCatalogue(H48_CATALOGUE);
    catalogue.failing = true;
    const { h, key } = setup('dichvucong-dotnet', catalogue);
    const event = await sent(h, key, dotNetJson(dossier));
    expect(event).not.toHaveProperty('onlineLevel');
    expect(catalogue.reads).toBe(1);
  });

  it('reads a generic sender at face value: no catalogue read, its own level and fee stand', async () => {
    const { h, key, catalogue } = setup('generic');
    const body = new URLSearchParams({
      codeProfile: dossier.dossierCode,
      codeTTHC: '1.000495',
      status: '1',
      formsReception: '1',
      formsPayments: '1',
      level: '4',
    }).toString();
    const event = await sent(h, key, { contentType: 'application/x-www-form-urlencoded', body });
    expect(event).toMatchObject({ onlineLevel: 'full', payment: { required: true, online: true } });
    expect(catalogue.reads).toBe(0);
  });
});
