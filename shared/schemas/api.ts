import { z } from 'zod';
import {
  amountVndField,
  eventIdField,
  INSTANT_RANGE_TEXT,
  isNoDatePlaceholder,
  isWithinInstantBounds,
  NO_DATE_MESSAGE,
  nationalStatus,
  onlineLevelField,
  satisfactionField,
  submissionChannel,
  supplementRequestsField,
} from './event-fields.ts';
import { identifierSchemas } from './identifiers.ts';
import type { Settings } from './settings.ts';

function isoText(description: string, example: string) {
  return z.iso
    .datetime({
      offset: true,
      message: 'must be an ISO-8601 time with an offset, such as 2026-11-23T09:30:00+07:00',
    })
    .meta({ description, examples: [example] });
}

/**
 * ISO-8601 with an explicit offset, carried inside the pipeline as epoch milliseconds, within the instant
 * bounds the queue contract also holds (`event-fields.ts`), so nothing ingest accepts is poison downstream.
 */
export function timestamp(description: string, example: string) {
  return isoText(description, example).transform((iso, ctx) => {
    if (isNoDatePlaceholder(iso)) {
      ctx.addIssue({ code: 'custom', message: NO_DATE_MESSAGE });
      return z.NEVER;
    }
    const ms = Date.parse(iso);
    if (!isWithinInstantBounds(ms)) {
      ctx.addIssue({ code: 'custom', message: `must be ${INSTANT_RANGE_TEXT}` });
      return z.NEVER;
    }
    return ms;
  });
}

/**
 * An optional time: as `timestamp`, except that .NET's "no date" (0001-01-01T00:00:00 in any offset) reads
 * as absent, so the status rules decide whether the field was needed.
 */
export function optionalTimestamp(description: string, example: string) {
  return isoText(description, example)
    .transform((iso, ctx): number | undefined => {
      if (isNoDatePlaceholder(iso)) return undefined;
      const ms = Date.parse(iso);
      if (!isWithinInstantBounds(ms)) {
        ctx.addIssue({ code: 'custom', message: `must be ${INSTANT_RANGE_TEXT}` });
        return z.NEVER;
      }
      return ms;
    })
    .optional();
}

const onlineLevel = onlineLevelField.meta({
  description: 'Online level of the procedure’s service: none, partial-online or full-online.',
  examples: ['full'],
});

export const NATIONAL_STATUSES = {
  1: 'registered',
  2: 'received',
  3: 'not accepted',
  4: 'processing',
  5: 'supplement requested',
  6: 'financial obligation requested',
  7: 'withdrawn by the citizen',
  8: 'processing stopped',
  9: 'resolved',
  10: 'result returned',
} as const;

const count = (description: string, example: number) =>
  z
    .number()
    .int()
    .min(0)
    .meta({ description, examples: [example] });

/** Every public request and response body, built for one configuration. */
export function apiSchemas(config: Settings) {
  const ids = identifierSchemas(config.identifiers);
  const limits = config.ingest;

  const payment = z
    .object({
      required: z.boolean().meta({ description: 'The dossier carries a fee or charge.', examples: [true] }),
      online: z.boolean().meta({ description: 'The fee was paid online.', examples: [true] }),
      amountVnd: amountVndField.meta({ description: 'Amount paid, in VND.', examples: [50000] }),
    })
    .meta({
      description: 'Fee and payment of the dossier.',
      examples: [{ required: true, online: true, amountVnd: 50000 }],
    });

  const dossierEvent = z
    .object({
      eventId: eventIdField.meta({
        description: 'Unique per unit. A retry must reuse it; downstream processing is idempotent on it.',
        examples: ['H48-0099-2'],
      }),
      dossierCode: ids.dossierCode,
      procedureCode: ids.procedureCode,
      agencyCode: ids.agencyCode.optional().meta({
        description: 'Agency inside the unit that handles the dossier. Defaults to the unit itself.',
        examples: ['000.00.10.H48'],
      }),
      status: nationalStatus.meta({
        description: `National dossier status: ${Object.entries(NATIONAL_STATUSES)
          .map(([code, name]) => `${code} ${name}`)
          .join(', ')}.`,
        examples: [2],
      }),
      channel: submissionChannel.optional().meta({
        description:
          'Submission channel: 1 in person, 2 online, 3 public postal service. Required from receipt on.',
        examples: [2],
      }),
      onlineLevel: onlineLevel.optional(),
      occurredAt: timestamp('When the status change happened.', '2026-11-23T09:30:00+07:00'),
      receivedAt: optionalTimestamp(
        'When the dossier was received. Required from receipt on. 0001-01-01T00:00:00 (any offset) means absent.',
        '2026-11-20T08:00:00+07:00',
      ),
      dueAt: optionalTimestamp(
        'Due date (NgayHenTra), already extended by any clock stop for a supplement. Required with statuses 9 and 10 unless noDueDate is true. 0001-01-01T00:00:00 (any offset) means absent.',
        '2026-11-27T17:00:00+07:00',
      ),
      noDueDate: z
        .boolean()
        .optional()
        .meta({
          description:
            'true: the procedure has no legal deadline, so the dossier has no due date. It then stays outside the on-time rate and is counted apart. Not together with dueAt.',
          examples: [false],
        }),
      supplementRequests: supplementRequestsField.optional().meta({
        description: 'How many times documents were requested from the citizen so far.',
        examples: [0],
      }),
      payment: payment.optional(),
      digitized: z
        .boolean()
        .optional()
        .meta({ description: 'The dossier’s components were digitised.', examples: [true] }),
      electronicResult: z
        .boolean()
        .optional()
        .meta({ description: 'The result was issued electronically.', examples: [true] }),
      fromNationalPortal: z
        .boolean()
        .optional()
        .meta({
          description: 'The dossier came through the national public-service portal (DVCQG).',
          examples: [false],
        }),
      satisfaction: satisfactionField.optional().meta({
        description: 'The citizen’s rating, 1 (very dissatisfied) to 5 (very satisfied).',
        examples: [5],
      }),
      resultByPost: z
        .boolean()
        .optional()
        .meta({
          description:
            'The result is delivered to the citizen by the public postal service (dịch vụ bưu chính công ích). Not the submission channel.',
          examples: [false],
        }),
    })
    .meta({
      description: 'One status change of one dossier. Unknown fields are ignored.',
    });

  const dossierEventsRequest = z.object({
    unitCode: ids.unitCode
      .optional()
      .meta({ description: 'Optional; when present it must be the key’s unit.' }),
    events: z
      .array(z.unknown())
      .min(1, 'must hold at least one event')
      .max(limits.maxEventsPerRequest, `must hold at most ${limits.maxEventsPerRequest} events`)
      .meta({
        description: `1 to ${limits.maxEventsPerRequest} dossier events (see DossierEvent).`,
        examples: [
          [
            {
              eventId: 'H48-0099-1',
              dossierCode: '000.00.10.H48-261120-0099',
              procedureCode: '1.001234',
              status: 1,
              occurredAt: '2026-11-20T08:00:00+07:00',
            },
          ],
        ],
      }),
  });

  const heartbeat = z.object({
    unitCode: ids.unitCode
      .optional()
      .meta({ description: 'Optional; when present it must be the key’s unit.' }),
    systemId: ids.systemId,
    sentAt: timestamp(
      'Sender’s clock when the heartbeat left. Informational: the server’s receive time is what counts.',
      '2026-11-23T09:30:00+07:00',
    ),
    softwareVersion: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .meta({ description: 'Version of the sending system.', examples: ['opencps-2.4.1'] }),
    pendingDossiers: z
      .number()
      .int()
      .min(0)
      .max(1e9)
      .optional()
      .meta({ description: 'Dossiers waiting in the sender’s outbox.', examples: [0] }),
  });

  const procedure = z.object({
    procedureCode: ids.procedureCode,
    name: z
      .string()
      .min(1)
      .max(500)
      .meta({ description: 'Name of the procedure.', examples: ['Cấp giấy phép xây dựng'] }),
    onlineLevel,
    feeBearing: z.boolean().meta({ description: 'The procedure carries a fee or charge.', examples: [true] }),
  });

  const catalog = z
    .object({
      unitCode: ids.unitCode.optional(),
      procedures: z
        .array(procedure)
        .min(1, 'must hold at least one procedure')
        .max(limits.maxCatalogProcedures, `must hold at most ${limits.maxCatalogProcedures} procedures`)
        .superRefine((procedures, ctx) => {
          const seen = new Map<string, number>();
          procedures.forEach((entry, index) => {
            const first = seen.get(entry.procedureCode);
            if (first === undefined) seen.set(entry.procedureCode, index);
            else
              ctx.addIssue({
                code: 'custom',
                path: [index, 'procedureCode'],
                message: `repeats procedure ${entry.procedureCode}, already listed at index ${first}`,
              });
          });
        })
        .meta({
          description: 'Every procedure the unit offers; codes must not repeat.',
          examples: [
            [
              {
                procedureCode: '1.001234',
                name: 'Cấp giấy phép xây dựng',
                onlineLevel: 'full',
                feeBearing: true,
              },
            ],
          ],
        }),
    })
    .meta({
      description: 'The unit’s whole procedure catalogue; it replaces the previous one.',
    });

  const dailyTotal = z.object({
    date: z.iso
      .date('must be a date such as 2026-11-22')
      .meta({ description: 'Day in Asia/Ho_Chi_Minh time.', examples: ['2026-11-22'] }),
    received: count('Dossiers received that day.', 812),
    receivedOnline: count('Of those, received online.', 344),
    resolved: count('Dossiers resolved that day.', 790),
    resolvedOnTime: count('Of those, resolved on or before their due date.', 771),
  });

  const dailyTotals = z
    .object({
      unitCode: ids.unitCode.optional(),
      days: z
        .array(dailyTotal)
        .min(1)
        .max(400)
        .meta({
          description: '1 to 400 days.',
          examples: [
            [{ date: '2026-11-22', received: 812, receivedOnline: 344, resolved: 790, resolvedOnTime: 771 }],
          ],
        }),
    })
    .meta({
      description:
        'The unit’s own totals per day, used for reconciliation (đối soát) against the counted figures.',
    });

  return { ids, dossierEvent, dossierEventsRequest, heartbeat, procedure, catalog, dailyTotals };
}

export type ApiSchemas = ReturnType<typeof apiSchemas>;
export type DossierEvent = z.infer<ApiSchemas['dossierEvent']>;
export type Heartbeat = z.infer<ApiSchemas['heartbeat']>;
export type Procedure = z.infer<ApiSchemas['procedure']>;

/** Where each problem type is explained, for the integrator reading a refusal. */
export const PROBLEM_DOCS = 'docs/integrating.md#problem-';

export const problemSchema = z
  .object({
    type: z.string().meta({
      description: `A stable URN, urn:emc:problem:<slug>; each slug is explained in ${PROBLEM_DOCS}<slug> (validation, unauthorized, forbidden, not-found, method-not-allowed, unit-retired, payload-too-large, unsupported-media-type, rate-limited, internal, unavailable).`,
      examples: ['urn:emc:problem:validation'],
    }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z
      .array(
        z.object({
          index: z.number().int().optional().meta({ description: 'Index of the event in the request.' }),
          eventId: z.string().optional(),
          path: z.string().meta({ examples: ['events[3].receivedAt'] }),
          message: z.string().meta({ examples: ['is required from status 2 (received) on'] }),
        }),
      )
      .optional(),
  })
  .meta({ description: 'RFC 9457 problem details.' });

export const acceptedSchema = z.object({
  accepted: z
    .number()
    .int()
    .meta({ description: 'Events now held by the queue; on a dry run, the events that would be.' }),
  rejected: z.array(
    z.object({
      index: z.number().int(),
      eventId: z.string().optional(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  ),
  syncId: z.string().optional().meta({ description: 'PUT /v1/catalog only: the id of this catalogue sync.' }),
  warnings: z
    .array(
      z.object({
        index: z.number().int().optional(),
        eventId: z.string().optional(),
        path: z.string().meta({ examples: ['events[0].agencyCode'] }),
        message: z.string().meta({
          examples: [
            '000.00.53.H48 is not a registered agency of unit H48; its dossiers count for the unit but in no agency’s figures or targets',
          ],
        }),
      }),
    )
    .optional()
    .meta({
      description:
        'Present when something was accepted that the evaluation will not credit as expected: a system or agency the registry does not list, a dossier code that starts with another unit’s code. The data is kept.',
    }),
  dryRun: z
    .literal(true)
    .optional()
    .meta({ description: 'Present on a dry run (`?dryRun=true`): nothing was queued, counted or archived.' }),
});
