import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromLegacyEmc } from '../../../../shared/domain/ingest/legacy-emc.ts';
import { type LegacyEmcEvent, legacyEmcSchema } from '../../../../shared/schemas/legacy-emc.ts';

/**
 * The legacy TrackingMCDT mapping as it stands (docs and shared/domain.md): legacy status 0 other, 1 received,
 * 2 processing, 3 result returned become national 1 registered, 2 received, 4 processing, 10 returned;
 * formsReception 1 online, 2 in person; isDVCBC 1 public postal service; formsPayments 0 none, 1 online,
 * 2 in person; level 3 partial-online, 4 full-online.
 */
const AT = '2026-11-23T03:00:00.000Z';

const record = (fields: Record<string, unknown> = {}): LegacyEmcEvent =>
  legacyEmcSchema.parse({
    codeProfile: '000.00.53.H48-261123-0042',
    codeTTHC: '1.000494',
    status: 1,
    ...fields,
  });

describe('fromLegacyEmc: status', () => {
  const national: [number, number][] = [
    [0, 1],
    [1, 2],
    [2, 4],
    [3, 10],
  ];
  it.each(national)('maps legacy status %d to national status %d', (legacy, expected) => {
    expect(fromLegacyEmc(record({ status: legacy }), AT).status).toBe(expected);
  });

  it('gives "other" (0 → registered) no receipt, so it counts nothing but liveness', () => {
    const event = fromLegacyEmc(record({ status: 0, formsReception: 1, level: 4 }), AT);
    expect(event).not.toHaveProperty('receivedAt');
    expect(event).not.toHaveProperty('channel');
    expect(event).not.toHaveProperty('onlineLevel');
  });

  it('gives every other status a receipt at the time the server received it', () => {
    for (const status of [1, 2, 3]) {
      expect(fromLegacyEmc(record({ status, formsReception: 1 }), AT)).toMatchObject({
        occurredAt: AT,
        receivedAt: AT,
        channel: 2,
      });
    }
  });

  it('carries no due date, so a returned result stays outside the on-time rate', () => {
    expect(fromLegacyEmc(record({ status: 3 }), AT)).not.toHaveProperty('dueAt');
  });
});

describe('fromLegacyEmc: channel and online level', () => {
  it('takes the postal service (isDVCBC 1) first, then online (formsReception 1), else in person', () => {
    const channel = (fields: Record<string, unknown>) => fromLegacyEmc(record(fields), AT).channel;
    expect(channel({ isDVCBC: 1, formsReception: 1 })).toBe(3);
    expect(channel({ isDVCBC: 0, formsReception: 1 })).toBe(2);
    expect(channel({ isDVCBC: 2, formsReception: 1 })).toBe(2);
    expect(channel({ formsReception: 2 })).toBe(1);
    expect(channel({ isDVCBC: 2, formsReception: 2 })).toBe(1);
    expect(channel({})).toBe(1);
  });

  it('reads level 4 as full-online, 3 as partial and anything else as none', () => {
    const level = (fields: Record<string, unknown>) => fromLegacyEmc(record(fields), AT).onlineLevel;
    expect(level({ level: 4 })).toBe('full');
    expect(level({ level: 3 })).toBe('partial');
    expect(level({ level: 2 })).toBe('none');
    expect(level({})).toBe('none');
  });
});

describe('fromLegacyEmc: payment and national portal', () => {
  it('keeps a fee paid in person as a required fee not paid online', () => {
    expect(fromLegacyEmc(record({ formsPayments: 2 }), AT).payment).toEqual({
      required: true,
      online: false,
      amountVnd: 0,
    });
  });

  it('reads 1 as a fee paid online and 0 as no fee, and sends no payment when the field is absent', () => {
    expect(fromLegacyEmc(record({ formsPayments: 1 }), AT).payment).toEqual({
      required: true,
      online: true,
      amountVnd: 0,
    });
    expect(fromLegacyEmc(record({ formsPayments: 0 }), AT).payment).toEqual({
      required: false,
      online: false,
      amountVnd: 0,
    });
    expect(fromLegacyEmc(record(), AT)).not.toHaveProperty('payment');
  });

  it('passes the national-portal flag on only when the sender gave one', () => {
    expect(fromLegacyEmc(record({ isFromDVCQG: '1' }), AT).fromNationalPortal).toBe(true);
    expect(fromLegacyEmc(record({ isFromDVCQG: 0 }), AT).fromNationalPortal).toBe(false);
    expect(fromLegacyEmc(record(), AT)).not.toHaveProperty('fromNationalPortal');
  });

  it('writes the whole canonical event, with the dossier and procedure codes as sent', () => {
    const event = fromLegacyEmc(
      record({ status: 2, formsReception: 1, formsPayments: 1, level: 4, isFromDVCQG: 1, isDVCBC: 0 }),
      AT,
    );
    expect(event).toEqual({
      eventId: expect.stringMatching(/^emc-[0-9a-f]{32}$/),
      dossierCode: '000.00.53.H48-261123-0042',
      procedureCode: '1.000494',
      status: 4,
      occurredAt: AT,
      receivedAt: AT,
      channel: 2,
      onlineLevel: 'full',
      payment: { required: true, online: true, amountVnd: 0 },
      fromNationalPortal: true,
    });
  });
});

describe('fromLegacyEmc: event id', () => {
  it('is "emc-" and the first 32 hex digits of SHA-256 over code|status|reception|payments|level', () => {
    const fields = { status: 3, formsReception: 2, formsPayments: 0, level: 3 };
    const expected = createHash('sha256')
      .update('000.00.53.H48-261123-0042|3|2|0|3')
      .digest('hex')
      .slice(0, 32);
    expect(fromLegacyEmc(record(fields), AT).eventId).toBe(`emc-${expected}`);
    const absent = createHash('sha256').update('000.00.53.H48-261123-0042|1|||').digest('hex').slice(0, 32);
    expect(fromLegacyEmc(record(), AT).eventId).toBe(`emc-${absent}`);
  });

  it('is the same for a resend at another time or with other vendor fields, so a retry counts once', () => {
    const first = fromLegacyEmc(record({ status: 2, data: { a: 1 }, User: 'x', nameTTHC: 'A' }), AT);
    const resend = fromLegacyEmc(
      record({ status: 2, data: { a: 2 }, User: 'y', nameTTHC: 'B' }),
      '2026-11-24T00:00:00Z',
    );
    expect(resend.eventId).toBe(first.eventId);
  });

  it('differs when the dossier, status, reception, payment or level differs', () => {
    const base = { status: 2, formsReception: 1, formsPayments: 1, level: 4 };
    const ids = [
      base,
      { ...base, codeProfile: '000.00.53.H48-261123-0043' },
      { ...base, status: 3 },
      { ...base, formsReception: 2 },
      { ...base, formsPayments: 2 },
      { ...base, level: 3 },
    ].map((fields) => fromLegacyEmc(record(fields), AT).eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('fromLegacyEmc over every legal record', () => {
  // Every legacy status, not only "received", with and without each optional code.
  const legal = fc.record(
    {
      status: fc.constantFrom(0, 1, 2, 3),
      formsReception: fc.constantFrom(1, 2),
      formsPayments: fc.constantFrom(0, 1, 2),
      level: fc.constantFrom(2, 3, 4),
      isDVCBC: fc.constantFrom(0, 1, 2),
      isFromDVCQG: fc.constantFrom(0, 1),
    },
    { requiredKeys: ['status'] },
  );

  it('maps each field by its documented table', () => {
    const STATUS = [1, 2, 4, 10];
    fc.assert(
      fc.property(legal, (fields) => {
        const event = fromLegacyEmc(record(fields), AT);
        expect(event.status).toBe(STATUS[fields.status]);
        const receipt = fields.status !== 0;
        expect('receivedAt' in event).toBe(receipt);
        const channel = fields.isDVCBC === 1 ? 3 : fields.formsReception === 1 ? 2 : 1;
        expect(event.channel).toBe(receipt ? channel : undefined);
        const payment =
          fields.formsPayments === undefined
            ? undefined
            : { required: fields.formsPayments > 0, online: fields.formsPayments === 1, amountVnd: 0 };
        expect(event.payment).toEqual(payment);
      }),
      { numRuns: 300 },
    );
  });
});
