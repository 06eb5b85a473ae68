import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { senderProfileNames } from '../../shared/schemas/legacy-emc.ts';
import { ingestHarness } from '../helpers/ingest-harness.ts';

const h = ingestHarness();
const keys = Object.fromEntries(senderProfileNames.map((name) => [name, h.keys.issue('H48', name)]));

const FIELDS = [
  'codeProfile',
  'maHoSo',
  'siteId',
  'codeTTHC',
  'nameTTHC',
  'status',
  'formsReception',
  'formsPayments',
  'level',
  'isFromDVCQG',
  'isDVCBC',
  'data',
  'user',
] as const;

/** Anything a sender might put in a field, well-formed or not. */
const anyValue = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.integer({ min: -3, max: 12 }),
  fc.integer({ min: -3, max: 12 }).map(String),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 80 }),
  fc.constantFrom(
    '000.00.53.H48-261120-0099',
    'H48.123.45-261120-010099',
    '1.000494',
    '1.000494.000.00.00.H48',
  ),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  fc.array(fc.integer(), { maxLength: 3 }),
);

const casing = (key: string, upper: boolean): string =>
  upper ? key.charAt(0).toUpperCase() + key.slice(1) : key;

const anyRecord = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...FIELDS), anyValue),
    fc.boolean(),
    fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 3 }),
  )
  .map(([fields, upper, extra]) => ({
    ...extra,
    ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [casing(k, upper), v])),
  }));

const anyBody = fc.oneof(
  { weight: 8, arbitrary: anyRecord },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(anyRecord)) },
);

/** Well-formed records, in every representation the two vendors use, with the codes they carry. */
const goodRecord = fc
  .record({
    day: fc.integer({ min: 1, max: 22 }),
    seq: fc.integer({ min: 0, max: 9999 }),
    status: fc.integer({ min: 0, max: 3 }),
    formsReception: fc.constantFrom(1, 2, null),
    formsPayments: fc.constantFrom(0, 1, 2, null),
    level: fc.constantFrom(2, 3, 4, null),
    isDVCBC: fc.constantFrom(0, 1, 2, null),
    strings: fc.boolean(),
    upper: fc.boolean(),
    user: fc.constantFrom('User', 'user'),
  })
  .map((r) => {
    const value = (v: number | null): number | string | null => (v === null || !r.strings ? v : String(v));
    const body: Record<string, unknown> = {
      codeProfile: `000.00.53.H48-2611${String(r.day).padStart(2, '0')}-${r.seq}`,
      siteId: r.strings ? '48' : 48,
      codeTTHC: '1.000494',
      status: value(r.status),
      formsReception: value(r.formsReception),
      formsPayments: value(r.formsPayments),
      level: value(r.level),
      isDVCBC: value(r.isDVCBC),
      data: r.strings ? '' : null,
    };
    body[r.user] = '{"ID_local":"canbo01"}';
    return {
      codes: r,
      body: Object.fromEntries(Object.entries(body).map(([k, v]) => [casing(k, r.upper && k !== r.user), v])),
    };
  });

// docs/senders and the vendors' enums (StatusEnum {Khac=0, TiepNhan=1, DangXuLy=2, TraKetQua=3}): "other"
// is liveness only (1), received (2), processing (4), result returned (10).
const NATIONAL_STATUS: Record<number, number> = { 0: 1, 1: 2, 2: 4, 3: 10 };
// formsReception 1 is online (channel 2), 2 in person (1); absent reads as in person.
const CHANNEL: Record<string, number> = { '1': 2, '2': 1, null: 1 };
// HinhThucThanhToanEnum {KhongThanhToan=0, Online=1, TrucTiep=2}: what each profile takes from formsPayments.
const PAYMENT: Record<string, Record<string, { required: boolean; online: boolean } | undefined>> = {
  generic: {
    '0': { required: false, online: false },
    '1': { required: true, online: true },
    '2': { required: true, online: false },
  },
  // An installation constant: never a fact about the dossier.
  opencps: {},
  // 0 means no payment was made, which is not "no fee".
  'dichvucong-dotnet': { '1': { required: true, online: true }, '2': { required: true, online: false } },
};

async function post(body: unknown, form: boolean, profile: (typeof senderProfileNames)[number]) {
  const asForm = form && typeof body === 'object' && body !== null && !Array.isArray(body);
  const text = asForm
    ? new URLSearchParams(
        Object.entries(body).map(([k, v]) => [
          k,
          v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v),
        ]),
      ).toString()
    : JSON.stringify(body);
  return h.call('legacy', {
    body: text,
    headers: { 'content-type': asForm ? 'application/x-www-form-urlencoded' : 'application/json' },
    pathParameters: { siteKey: keys[profile] ?? '' },
  });
}

const legacyPaths = new Set<string>([...FIELDS, '(body)']);

describe('the legacy feed, for any body a sender might post', () => {
  it('answers 204 or a 400 whose every error names a legacy field, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBody,
        fc.boolean(),
        fc.constantFrom(...senderProfileNames),
        async (body, form, profile) => {
          const response = await post(body, form, profile);
          expect([204, 400]).toContain(response.status);
          if (response.status === 400) {
            const problem = response.json() as { errors: { path: string; message: string }[] };
            expect(problem.errors.length).toBeGreaterThan(0);
            for (const error of problem.errors) {
              expect(legacyPaths.has(error.path), error.path).toBe(true);
              expect(error.message.length).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);

  it('takes every well-formed record, in strings or numbers, camelCase or PascalCase, nulls, user or User', async () => {
    await fc.assert(
      fc.asyncProperty(
        goodRecord,
        fc.boolean(),
        fc.constantFrom(...senderProfileNames),
        async ({ body, codes }, form, profile) => {
          const before = h.queue.sent.length;
          const response = await post(body, form, profile);
          expect(response.status, response.text).toBe(204);
          expect(h.queue.sent.length).toBe(before + 1);
          const messages = h.queue.messages('dossier-events') as { events: Record<string, unknown>[] }[];
          const event = messages.at(-1)?.events[0] ?? {};
          const status = NATIONAL_STATUS[codes.status];
          const payment = PAYMENT[profile]?.[String(codes.formsPayments)];
          expect({
            status: event.status,
            channel: event.channel,
            payment: event.payment,
          }).toEqual({
            status,
            channel: status === 1 ? undefined : CHANNEL[String(codes.formsReception)],
            payment: payment === undefined ? undefined : { ...payment, amountVnd: 0 },
          });
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});
