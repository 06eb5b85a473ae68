import { describe, expect, it } from 'vitest';
import type { SenderProfileName } from '../../shared/schemas/legacy-emc.ts';
import {
  dotNetBody,
  dotNetJson,
  openCpsForm,
  openCpsHandBuilt,
  openCpsJson,
  type SenderRequest,
  type TrueDossier,
} from '../../simulator/senders.ts';
import { type Harness, ingestHarness, NOW } from '../helpers/ingest-harness.ts';

/** NOW is 2026-11-23 10:30 in Vietnam; the dossier code says it was received on 2026-11-18. */
const received: TrueDossier = {
  dossierCode: '000.00.53.H48-261118-0042',
  procedureCode: '1.000494',
  procedureName: 'Cấp giấy phép xây dựng',
  status: 2,
  channel: 2,
  onlineLevel: 'full',
  paid: 'online',
  resultByPost: false,
  fromNationalPortal: true,
  officer: '0123456789',
};
const NOV_18_START = '2026-11-17T17:00:00.000Z';

type Queued = Record<string, unknown>;

async function send(
  h: Harness,
  key: string,
  request: SenderRequest,
): Promise<{ status: number; text: string; json: () => unknown }> {
  return h.call('legacy', {
    body: request.body,
    headers: { 'content-type': request.contentType },
    pathParameters: { siteKey: key },
  });
}

function queued(h: Harness): Queued[] {
  return (h.queue.messages('dossier-events') as { events: Queued[] }[]).flatMap((m) => m.events);
}

function setup(sender?: SenderProfileName): { h: Harness; key: string } {
  const h = ingestHarness();
  return { h, key: h.keys.issue('H48', sender) };
}

describe('TrackingMCDT from OpenCPS (profile opencps)', () => {
  it.each([
    ['the RestTemplate form', openCpsForm],
    ['the hand-joined, unencoded form', openCpsHandBuilt],
    ['a JSON object of strings', openCpsJson],
  ])('answers 204 with no body to %s, which is what its JSON path counts as delivered', async (_, build) => {
    const { h, key } = setup('opencps');
    const response = await send(h, key, build(received));
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(queued(h)).toHaveLength(1);
  });

  it('takes the channel from formsReception and ignores its installation constants', async () => {
    const { h, key } = setup('opencps');
    await send(h, key, openCpsForm(received));
    const [event] = queued(h);
    expect(event).toMatchObject({
      dossierCode: '000.00.53.H48-261118-0042',
      procedureCode: '1.000494',
      agencyCode: '000.00.53.H48',
      status: 2,
      channel: 2,
      resultByPost: false,
      occurredAt: NOW,
      receivedAt: Date.parse(NOV_18_START),
    });
    // FormsPaymentDirect, LEVEL and IS_FROM_DVCQG are the same for every dossier: they say nothing.
    expect(event).not.toHaveProperty('payment');
    expect(event).not.toHaveProperty('onlineLevel');
    expect(event).not.toHaveProperty('fromNationalPortal');
  });

  it('never refuses a record for an installation constant outside the national codes', async () => {
    const { h, key } = setup('opencps');
    const fields = new URLSearchParams(openCpsForm(received).body);
    fields.set('level', '1');
    fields.set('formsPayments', '9');
    const response = await send(h, key, {
      contentType: 'application/x-www-form-urlencoded',
      body: fields.toString(),
    });
    expect(response.status).toBe(204);
    const generic = setup();
    expect(
      (
        await send(generic.h, generic.key, {
          contentType: 'application/x-www-form-urlencoded',
          body: fields.toString(),
        })
      ).status,
    ).toBe(400);
  });

  it('keeps an online submission online when its result goes by post (isDVCBC=1)', async () => {
    const { h, key } = setup('opencps');
    await send(h, key, openCpsHandBuilt({ ...received, resultByPost: true }));
    expect(queued(h)[0]).toMatchObject({ channel: 2, resultByPost: true });
  });

  it('reads done (legacy 3) as a returned result, and releasing as processing', async () => {
    const { h, key } = setup('opencps');
    await send(h, key, openCpsForm({ ...received, status: 9 }));
    await send(h, key, openCpsForm({ ...received, status: 10 }));
    expect(queued(h).map((e) => e.status)).toEqual([4, 10]);
    expect(queued(h)[1]).not.toHaveProperty('dueAt');
  });

  it('refuses the empty codeTTHC it sends for a dossier with no service code, naming the field', async () => {
    const { h, key } = setup('opencps');
    const response = await send(h, key, openCpsForm({ ...received, procedureCode: '' }));
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [{ path: 'codeTTHC', message: 'is required: the procedure code' }],
    });
  });
});

describe('TrackingMCDT from the .NET system (profile dichvucong-dotnet)', () => {
  it('answers 204 to its camelCase JSON with maHoSo, an integer siteId and a user string', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    const response = await send(h, key, dotNetJson({ ...received, status: 10 }));
    expect(response.status).toBe(204);
    const [event] = queued(h);
    expect(event).toMatchObject({
      status: 10,
      channel: 2,
      payment: { required: true, online: true, amountVnd: 0 },
      fromNationalPortal: true,
      receivedAt: Date.parse(NOV_18_START),
    });
    expect(JSON.stringify(event)).not.toContain('0123456789');
  });

  it('takes a null FormsReception as absent: the dossier counts as received in person, not a 400', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    const response = await send(h, key, dotNetJson({ ...received, channel: undefined }));
    expect(response.status).toBe(204);
    expect(queued(h)[0]).toMatchObject({ channel: 1 });
  });

  it('reads a postal submission as online, because that is what it sends', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    await send(h, key, dotNetJson({ ...received, channel: 3 }));
    expect(queued(h)[0]).toMatchObject({ channel: 2 });
  });

  it('does not take its folded level 4 as full-online, nor "no payment made" as "no fee"', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    await send(h, key, dotNetJson({ ...received, onlineLevel: 'partial', paid: undefined }));
    const [event] = queued(h);
    expect(event).not.toHaveProperty('onlineLevel');
    expect(event).not.toHaveProperty('payment');
  });

  it('reads its status 0 (not accepted, supplement, withdrawn …) as liveness only', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    await send(h, key, dotNetJson({ ...received, status: 5 }));
    const [event] = queued(h);
    expect(event).toMatchObject({ status: 1 });
    expect(event).not.toHaveProperty('receivedAt');
  });

  it('reads PascalCase keys and a capital User the same as camelCase', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    await send(h, key, dotNetJson(received));
    await send(h, key, {
      contentType: 'application/json',
      body: JSON.stringify(dotNetBody(received, 'pascal')),
    });
    const [camel, pascal] = queued(h);
    expect(pascal).toEqual(camel);
  });

  it('takes its dossier code from maHoSo when codeProfile is null', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    const response = await send(h, key, {
      contentType: 'application/json',
      body: JSON.stringify({ ...dotNetBody(received), codeProfile: null }),
    });
    expect(response.status).toBe(204);
    expect(queued(h)[0]).toMatchObject({ dossierCode: '000.00.53.H48-261118-0042' });
  });

  it('gives a resend of the same record the same event id, so it counts once', async () => {
    const { h, key } = setup('dichvucong-dotnet');
    await send(h, key, dotNetJson(received));
    await send(h, key, dotNetJson(received));
    const [first, again] = queued(h);
    expect(first?.eventId).toMatch(/^emc-[0-9a-f]{32}$/);
    expect(again?.eventId).toBe(first?.eventId);
  });
});

describe('TrackingMCDT read at face value (profile generic, the default)', () => {
  const record = {
    codeProfile: '000.00.53.H48-261123-0042',
    codeTTHC: '1.000494.000.00.00.H48',
    status: 1,
    formsReception: 1,
    formsPayments: 1,
    level: 4,
    isFromDVCQG: 1,
    isDVCBC: 1,
  };
  const json = (body: unknown): SenderRequest => ({
    contentType: 'application/json',
    body: JSON.stringify(body),
  });

  it('keeps the channel online when isDVCBC=1, and reports the result by post on its own', async () => {
    const { h, key } = setup();
    expect((await send(h, key, json(record))).status).toBe(204);
    expect(queued(h)[0]).toMatchObject({
      procedureCode: '1.000494',
      status: 2,
      channel: 2,
      onlineLevel: 'full',
      payment: { required: true, online: true, amountVnd: 0 },
      fromNationalPortal: true,
      resultByPost: true,
    });
  });

  it('answers the README’s curl example (a form post) with 204 and no body', async () => {
    const { h, key } = setup();
    const response = await send(h, key, {
      contentType: 'application/x-www-form-urlencoded',
      body: 'codeProfile=000.00.53.H48-261123-0042&codeTTHC=1.000494&status=1&formsReception=1&level=4',
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(queued(h)[0]).toMatchObject({ status: 2, channel: 2, onlineLevel: 'full' });
  });

  it('takes null and "" in every optional field as absent', async () => {
    const { h, key } = setup();
    const nulls = { formsReception: null, formsPayments: '', level: null, isFromDVCQG: null, isDVCBC: '' };
    const response = await send(
      h,
      key,
      json({ ...record, ...nulls, nameTTHC: null, data: null, siteId: null }),
    );
    expect(response.status).toBe(204);
    const [event] = queued(h);
    expect(event).toMatchObject({ channel: 1 });
    for (const field of ['onlineLevel', 'payment', 'fromNationalPortal', 'resultByPost'])
      expect(event).not.toHaveProperty(field);
  });

  it('counts a backfilled dossier on the receipt day of its code, not on the day it arrived', async () => {
    const { h, key } = setup();
    await send(h, key, json({ ...record, codeProfile: '000.00.53.H48-261031-0007' }));
    expect(queued(h)[0]).toMatchObject({ receivedAt: Date.parse('2026-10-30T17:00:00Z'), occurredAt: NOW });
  });

  it('takes the receipt day of the newer code form too', async () => {
    const { h, key } = setup();
    await send(h, key, json({ ...record, codeProfile: 'H48.123.45-261120-010099' }));
    const [event] = queued(h);
    expect(event).toMatchObject({ receivedAt: Date.parse('2026-11-19T17:00:00Z'), agencyCode: 'H48' });
  });

  it('never dates a receipt after the record arrived', async () => {
    const { h, key } = setup();
    await send(h, key, json({ ...record, codeProfile: '000.00.53.H48-261124-0001' }));
    await send(h, key, json({ ...record, codeProfile: '000.00.53.H48-261123-0002' }));
    const [tomorrow, today] = queued(h);
    expect(tomorrow).toMatchObject({ receivedAt: NOW });
    expect(today).toMatchObject({ receivedAt: Date.parse('2026-11-22T17:00:00Z') });
  });

  it('keeps a code with an impossible date at the arrival day', async () => {
    const { h, key } = setup();
    await send(h, key, json({ ...record, codeProfile: '000.00.53.H48-260230-0001' }));
    expect(queued(h)[0]).toMatchObject({ receivedAt: NOW });
  });

  it('takes the agency from the code only when it is inside the key’s unit', async () => {
    const { h, key } = setup();
    expect((await send(h, key, json({ ...record, codeProfile: '000.00.53.H49-261123-0042' }))).status).toBe(
      204,
    );
    expect(queued(h)[0]).toMatchObject({ agencyCode: 'H48' });
  });

  it('refuses a receipt day older than the retention window, naming codeProfile', async () => {
    const { h, key } = setup();
    const response = await send(h, key, json({ ...record, codeProfile: '000.00.53.H48-240101-0001' }));
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [
        {
          path: 'codeProfile',
          message:
            'the receipt day in the dossier code is older than the retention window and can no longer be counted',
        },
      ],
    });
  });

  it('names a missing dossier code and status', async () => {
    const { h, key } = setup();
    const response = await send(h, key, json({ codeTTHC: '1.000494', status: null }));
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [
        { path: 'codeProfile', message: 'is required: the dossier code' },
        { path: 'status', message: 'is required: 0 other, 1 received, 2 processing, 3 result returned' },
      ],
    });
  });

  it('names the bad legacy field and its allowed codes', async () => {
    const { h, key } = setup();
    const response = await send(h, key, json({ ...record, formsReception: '7' }));
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [
        {
          path: 'formsReception',
          message: 'must be one of 1, 2 (submission channel: 1 online, 2 in person)',
        },
      ],
    });
  });

  it('refuses an unknown siteKey with 401', async () => {
    const h = ingestHarness();
    const response = await send(h, '48', json(record));
    expect(response.status).toBe(401);
  });
});
