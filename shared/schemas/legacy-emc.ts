import { z } from 'zod';

/** Form-urlencoded senders send every field as a string; JSON senders send numbers. Both are accepted. */
const code = <T extends readonly [number, ...number[]]>(allowed: T, meaning: string, example: number) =>
  z
    .union([
      z.number(),
      z.string().regex(/^\s*-?\d+\s*$/, `must be one of ${allowed.join(', ')} (${meaning})`),
    ])
    .meta({ description: meaning, examples: [example, String(example)] })
    .transform((value) => (typeof value === 'number' ? value : Number.parseInt(value, 10)))
    .refine((value) => allowed.includes(value), `must be one of ${allowed.join(', ')} (${meaning})`);

const flag = z
  .union([z.boolean(), z.number(), z.string()])
  .meta({ description: '1 when the dossier came through the national portal.', examples: [1] })
  .transform((value) => value === true || value === 1 || value === '1' || value === 'true');

/** The fields TTHC systems already send to EMC's TrackingMCDT endpoint (OpenCPS and a .NET system). */
export const legacyEmcSchema = z
  .object({
    codeProfile: z
      .string()
      .min(1)
      .max(64)
      .meta({ description: 'Dossier code.', examples: ['000.00.53.H48-220921-0099'] }),
    siteId: z
      .union([z.number(), z.string()])
      .optional()
      .meta({
        description: 'Legacy site identifier; informational, the siteKey decides the unit.',
        examples: [48],
      }),
    codeTTHC: z
      .string()
      .min(1)
      .max(64)
      .meta({ description: 'Procedure code.', examples: ['1.001234'] }),
    nameTTHC: z
      .string()
      .max(500)
      .optional()
      .meta({ description: 'Procedure name.', examples: ['Cấp giấy phép xây dựng'] }),
    status: code([0, 1, 2, 3], '0 other, 1 received, 2 processing, 3 result returned', 1),
    formsReception: code([1, 2], '1 online, 2 in person', 1).optional(),
    formsPayments: code([0, 1, 2], '0 none, 1 online, 2 in person', 1).optional(),
    level: code([2, 3, 4], '3 partial-online, 4 full-online', 4).optional(),
    isFromDVCQG: flag.optional(),
    isDVCBC: code([0, 1, 2], '0 in person, 1 public postal service, 2 other', 0).optional(),
    data: z
      .unknown()
      .optional()
      .meta({ description: 'Vendor payload; accepted and not stored.', examples: ['{}'] }),
    User: z
      .unknown()
      .optional()
      .meta({ description: 'Vendor user field; accepted and not stored.', examples: ['canbo01'] }),
  })
  .meta({ description: 'One dossier status change in the legacy EMC format.' });

export type LegacyEmcEvent = z.infer<typeof legacyEmcSchema>;
