import { describe, expect, it } from 'vitest';
import { ingestHarness, NOW } from '../helpers/ingest-harness.ts';

/** OpenCPS (Java) posts application/x-www-form-urlencoded with every value a string. */
function openCpsBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

const openCpsReceived = {
  codeProfile: '000.00.53.H48-261123-0042',
  siteId: '48',
  codeTTHC: '1.000494.000.00.00.H48',
  nameTTHC: 'Cấp giấy phép xây dựng',
  status: '1',
  formsReception: '1',
  formsPayments: '1',
  level: '4',
  isFromDVCQG: '1',
  isDVCBC: '0',
  data: '{"HoTen":"Nguyễn Văn A"}',
};

/** The provincial .NET system posts JSON with numeric codes and a User field. */
const dotNetReturned = {
  codeProfile: 'H48.123.45-261123-010099',
  siteId: 48,
  codeTTHC: '2.002156',
  nameTTHC: 'Đăng ký kết hôn',
  status: 3,
  formsReception: 2,
  formsPayments: 0,
  level: 3,
  isFromDVCQG: 0,
  isDVCBC: 1,
  data: { ketQua: 'ok' },
  User: 'canbo01',
};

describe('POST /v1/compat/emc/{siteKey}/TrackingMCDT', () => {
  it('takes an OpenCPS form post and queues a canonical received event, answering 200 with no body', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('legacy', {
      path: `/v1/compat/emc/${key}/TrackingMCDT`,
      body: openCpsBody(openCpsReceived),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      pathParameters: { siteKey: key },
    });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(h.queue.messages('dossier-events')[0]).toMatchObject({
      unitCode: 'H48',
      events: [
        {
          dossierCode: '000.00.53.H48-261123-0042',
          procedureCode: '1.000494',
          agencyCode: 'H48',
          status: 2,
          channel: 2,
          onlineLevel: 'full',
          occurredAt: NOW,
          receivedAt: NOW,
          payment: { required: true, online: true, amountVnd: 0 },
          fromNationalPortal: true,
        },
      ],
    });
    expect(h.queue.sent[0]?.body).not.toContain('HoTen');
  });

  it('takes a .NET JSON post of a returned result as a postal resolution with no due date', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('legacy', {
      body: JSON.stringify(dotNetReturned),
      headers: { 'content-type': 'application/json' },
      pathParameters: { siteKey: key },
    });
    expect(response.status).toBe(200);
    const [message] = h.queue.messages('dossier-events') as { events: Record<string, unknown>[] }[];
    expect(message?.events[0]).toMatchObject({
      status: 10,
      channel: 3,
      onlineLevel: 'partial',
      fromNationalPortal: false,
    });
    expect(message?.events[0]).not.toHaveProperty('dueAt');
    expect(message?.events[0]).not.toHaveProperty('User');
  });

  it('derives the same event id for a resend, so a retry is idempotent downstream', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const request = {
      body: JSON.stringify(dotNetReturned),
      headers: { 'content-type': 'application/json' },
      pathParameters: { siteKey: key },
    };
    await h.call('legacy', request);
    await h.call('legacy', request);
    const ids = (h.queue.messages('dossier-events') as { events: { eventId: string }[] }[]).map(
      (m) => m.events[0]?.eventId,
    );
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^emc-[0-9a-f]{32}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it('refuses an unknown siteKey with 401', async () => {
    const h = ingestHarness();
    const response = await h.call('legacy', {
      body: JSON.stringify(dotNetReturned),
      headers: { 'content-type': 'application/json' },
      pathParameters: { siteKey: '48' },
    });
    expect(response.status).toBe(401);
  });

  it('names the bad legacy field and its allowed codes', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const response = await h.call('legacy', {
      body: openCpsBody({ ...openCpsReceived, formsReception: '7' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      pathParameters: { siteKey: key },
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [{ path: 'formsReception', message: 'must be one of 1, 2 (1 online, 2 in person)' }],
    });
  });
});
