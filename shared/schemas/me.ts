import { z } from 'zod';
import { senderProfileNames } from './legacy-emc.ts';
import { connectionStatuses } from './snapshot.ts';

/** Why ingest refused an event or a request; docs/integrating.md explains each. */
export const refusalReasons = [
  'missing-field',
  'invalid-value',
  'time-in-future',
  'time-too-old',
  'time-order',
  'invalid-body',
  'other-unit',
  'retired-unit',
  'too-large',
  'unsupported-media-type',
] as const;
export type RefusalReason = (typeof refusalReasons)[number];

/** What was accepted and later not counted (GET /v1/me `setAside`). */
export const setAsideKinds = ['quarantined', 'dead-letter', 'voided'] as const;
export type SetAsideKind = (typeof setAsideKinds)[number];

const iso = z.string().meta({ description: 'ISO-8601 time.', examples: ['2026-11-23T02:30:00.000Z'] });
const count = z.number().int().min(0);
const arrivals = z.object({
  dossiersReceived: count,
  dossiersReceivedOnline: count,
  dossiersResolved: count,
});

/** GET /v1/me: what the ministry sees of the key's unit, and only of it. */
export const meSchema = z
  .object({
    unitCode: z.string().meta({ examples: ['H48'] }),
    key: z.object({
      prefix: z.string().meta({ description: 'The public 12-character prefix of the key used.' }),
      createdAt: iso,
      expiresAt: iso
        .nullable()
        .meta({ description: 'Set once the key was rotated out; null while it has no end.' }),
      lastUsedAt: iso.nullable().meta({ description: 'Recorded at most every few minutes.' }),
      sender: z.enum(senderProfileNames).meta({
        description:
          'How the legacy TrackingMCDT feed reads this key’s records (docs/senders/); generic when none was set.',
      }),
    }),
    verdict: z
      .object({
        status: z.enum(connectionStatuses),
        reasons: z.array(
          z.object({ code: z.string(), message: z.object({ vi: z.string(), en: z.string() }) }),
        ),
        since: iso.nullable(),
        evaluatedAt: iso.meta({ description: 'When the evaluation that published this verdict ran.' }),
      })
      .nullable()
      .meta({ description: 'As the last evaluation published it; null before the first one.' }),
    arrivals: z.object({
      asOf: iso
        .nullable()
        .meta({ description: 'The evaluation the counts come from; null before the first one.' }),
      today: arrivals.nullable(),
      last7Days: arrivals.nullable(),
      lastHeartbeatBySystem: z
        .array(z.object({ systemId: z.string(), lastSeenAt: iso, registered: z.boolean() }))
        .meta({ description: 'Live: the newest heartbeat received from each system.' }),
      lastDossierEventAt: iso.nullable(),
      catalogSyncedAt: iso.nullable(),
    }),
    refusals: z.object({
      from: z.string().meta({ description: 'First day (Vietnam time) counted.', examples: ['2026-11-17'] }),
      to: z.string().meta({ description: 'Last day counted: today.', examples: ['2026-11-23'] }),
      total: count,
      byReason: z.array(
        z.object({
          reason: z.enum(refusalReasons),
          count: count.meta({ description: 'Refused events, or refused requests that listed none.' }),
          examples: z
            .array(
              z.object({
                at: iso,
                path: z.string(),
                message: z.string(),
                eventId: z.string().optional(),
                codeProfile: z.string().optional(),
              }),
            )
            .max(5)
            .meta({ description: 'Up to 5 recent examples, newest first. Never a body, never a key.' }),
        }),
      ),
    }),
    setAside: z
      .object({
        from: z
          .string()
          .meta({ description: 'First day (Vietnam time) of quarantined events and dead letters.' }),
        to: z.string(),
        total: count,
        byReason: z.array(
          z.object({
            kind: z.enum(setAsideKinds).meta({
              description:
                'quarantined: an accepted event the worker set aside; dead-letter: a message that went to a dead-letter queue; voided: a dossier an operator withdrew (emc dossiers void), counted while it stays voided.',
            }),
            reason: z.string().meta({ description: 'For a voiding, the reason the operator gave.' }),
            count,
          }),
        ),
      })
      .meta({ description: 'What was accepted (202) and then not counted, by reason.' }),
    connectionRules: z
      .object({
        heartbeat: z.object({
          expectedEverySeconds: count,
          graceSeconds: count,
          missedHeartbeats: count,
          lateAfterSeconds: count.meta({
            description:
              'A system is late after this long without a heartbeat: the longest of graceSeconds, missedHeartbeats × expectedEverySeconds and two evaluation intervals.',
          }),
        }),
        dossierFeed: z.object({ silenceHours: z.number() }),
        catalog: z.object({ maxAgeDays: z.number() }),
        reconciliation: z.object({
          required: z.boolean().meta({
            description: 'false: daily totals are optional; totals that are posted are still checked.',
          }),
          tolerance: z.number().meta({ description: 'The relative part of the tolerance.' }),
          absoluteTolerance: z.number().meta({ description: 'The tolerance floor, in dossiers.' }),
          lookbackDays: count,
          todayExcluded: z.literal(true),
        }),
        registeredSystems: z.array(z.string()),
      })
      .meta({ description: 'The rules this unit is judged by, with any override the operator set for it.' }),
  })
  .meta({ id: 'Me', description: 'What the ministry sees of the key’s unit.' });
export type Me = z.infer<typeof meSchema>;
