import { z } from 'zod';

/**
 * The sender profiles of the legacy feed. Each names a real sender whose codes are read by its own rules
 * (shared/domain/ingest/sender-profiles.ts); `generic` reads the record at face value.
 */
export const senderProfileNames = ['generic', 'opencps', 'dichvucong-dotnet'] as const;
export type SenderProfileName = (typeof senderProfileNames)[number];
export const senderProfileSchema = z.enum(senderProfileNames);

/**
 * Senders put `null` or `""` where they have nothing to say, and a Java sender's `String.valueOf(null)` posts
 * the word `null`: each means the field is absent.
 */
const absent = (value: unknown): boolean =>
  value === null || value === undefined || (typeof value === 'string' && /^\s*(null)?\s*$/i.test(value));

/**
 * A legacy code field. Form-urlencoded senders send every value as a string, JSON senders send strings or
 * numbers; `null` and `""` mean absent.
 */
const code = <T extends readonly [number, ...number[]]>(allowed: T, meaning: string, example: number) =>
  z
    .union([
      z.number().int(),
      z.string().regex(/^\s*(-?\d*|null)\s*$/i, `must be one of ${allowed.join(', ')} (${meaning})`),
      z.null(),
    ])
    .optional()
    .meta({ description: `${meaning}; null or "" when unknown`, examples: [example, String(example)] })
    .transform((value) => (absent(value) ? undefined : Number.parseInt(String(value), 10)))
    .refine(
      (value) => value === undefined || allowed.includes(value),
      `must be one of ${allowed.join(', ')} (${meaning})`,
    );

const flag = z
  .union([z.boolean(), z.number(), z.string(), z.null()])
  .optional()
  .meta({ description: '1 when the dossier came through the national portal.', examples: [1] })
  .transform((value) =>
    absent(value) ? undefined : value === true || value === 1 || value === '1' || value === 'true',
  );

const text = (max: number, description: string, example: string) =>
  z
    .union([z.string().max(max), z.null()])
    .optional()
    .meta({ description, examples: [example] })
    .transform((value) => (typeof value === 'string' && !absent(value) ? value.trim() : undefined));

const ignored = (description: string, example: unknown) =>
  z
    .unknown()
    .optional()
    .meta({ description, examples: [example] });

/**
 * The fields TTHC systems already send to EMC's TrackingMCDT endpoint: OpenCPS (form or JSON, every value a
 * string) and the .NET system (camelCase JSON with `maHoSo` and a `user` string). `codeProfile` and
 * `maHoSo` are both the dossier code; one of them is enough.
 */
export const legacyEmcSchema = z
  .object({
    codeProfile: text(64, 'Dossier code (mã hồ sơ).', '000.00.53.H48-220921-0099'),
    maHoSo: text(
      64,
      'Dossier code, as the .NET system sends it beside codeProfile.',
      '000.00.53.H48-220921-0099',
    ),
    siteId: ignored('Legacy site identifier; informational, the siteKey decides the unit.', 48),
    codeTTHC: text(128, 'Procedure code.', '1.001234'),
    nameTTHC: ignored('Procedure name; accepted and not stored.', 'Cấp giấy phép xây dựng'),
    status: code([0, 1, 2, 3], '0 other, 1 received, 2 processing, 3 result returned', 1),
    formsReception: code([1, 2], 'submission channel: 1 online, 2 in person', 1),
    formsPayments: code([0, 1, 2], '0 none, 1 online, 2 in person', 1),
    level: code([2, 3, 4], '3 partial-online, 4 full-online', 4),
    isFromDVCQG: flag,
    isDVCBC: code([0, 1, 2], 'how the result is delivered: 0 in person, 1 by post (VNPost), 2 other', 0),
    data: ignored('Vendor payload; accepted and not stored.', ''),
    user: ignored('Vendor user field (a JSON string from the .NET system); accepted and not stored.', '{}'),
  })
  .superRefine((record, ctx) => {
    if (record.codeProfile === undefined && record.maHoSo === undefined)
      ctx.addIssue({ code: 'custom', path: ['codeProfile'], message: 'is required: the dossier code' });
    if (record.codeTTHC === undefined)
      ctx.addIssue({ code: 'custom', path: ['codeTTHC'], message: 'is required: the procedure code' });
    if (record.status === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: 'is required: 0 other, 1 received, 2 processing, 3 result returned',
      });
  })
  .meta({
    description:
      'One dossier status change in the legacy EMC format. Keys are read in camelCase or PascalCase; null and "" mean absent; unknown fields are dropped.',
  });

export type LegacyEmcEvent = z.infer<typeof legacyEmcSchema>;

const KNOWN_KEYS = new Set(Object.keys(legacyEmcSchema.shape));

/**
 * The body with its keys in the schema's spelling: `CodeProfile` and `User` become `codeProfile` and `user`,
 * so a sender serialising in PascalCase loses nothing. Anything that is not an object is returned as is, for
 * the schema to refuse.
 */
export function normalizeLegacyKeys(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = KNOWN_KEYS.has(key) ? key : key.charAt(0).toLowerCase() + key.slice(1);
    if (KNOWN_KEYS.has(name) && (out[name] === undefined || key === name)) out[name] = value;
  }
  return out;
}
