import { z } from 'zod';
import {
  amountVndField,
  eventIdField,
  instantMillis,
  nationalStatus,
  onlineLevelField,
  satisfactionField,
  submissionChannel,
  supplementRequestsField,
} from './event-fields.ts';

/**
 * The contract between the ingest functions and the workers. Times are epoch milliseconds, codes are
 * already normalised, and every event names its agency, so a worker never re-derives what ingest decided.
 * Every field is built from the same definitions as the public schema (`event-fields.ts`).
 */
const millis = instantMillis;

export const queuedEventSchema = z.object({
  eventId: eventIdField,
  dossierCode: z.string().min(1),
  procedureCode: z.string().min(1),
  agencyCode: z.string().min(1),
  status: nationalStatus,
  channel: submissionChannel.optional(),
  onlineLevel: onlineLevelField.optional(),
  occurredAt: millis,
  receivedAt: millis.optional(),
  dueAt: millis.optional(),
  noDueDate: z.boolean().optional(),
  supplementRequests: supplementRequestsField.optional(),
  payment: z.object({ required: z.boolean(), online: z.boolean(), amountVnd: amountVndField }).optional(),
  digitized: z.boolean().optional(),
  electronicResult: z.boolean().optional(),
  fromNationalPortal: z.boolean().optional(),
  satisfaction: satisfactionField.optional(),
  resultByPost: z.boolean().optional(),
});
export type QueuedEvent = z.infer<typeof queuedEventSchema>;

/**
 * A dossier-events message as the worker first reads it: the envelope is checked, each event on its own,
 * so that one event the contract refuses is set aside with its reason while the rest are counted.
 */
export const dossierEventsEnvelopeSchema = z.object({
  v: z.literal(1),
  kind: z.literal('dossier-events'),
  unitCode: z.string().min(1),
  requestId: z.string().min(1),
  acceptedAt: millis,
  events: z.array(z.unknown()).min(1),
});
export type DossierEventsEnvelope = z.infer<typeof dossierEventsEnvelopeSchema>;

export const dossierEventsMessageSchema = dossierEventsEnvelopeSchema.extend({
  events: z.array(queuedEventSchema).min(1),
});
export type DossierEventsMessage = z.infer<typeof dossierEventsMessageSchema>;

export const heartbeatMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('heartbeat'),
  unitCode: z.string().min(1),
  systemId: z.string().min(1),
  receivedAt: millis,
  sentAt: millis,
  softwareVersion: z.string().optional(),
  pendingDossiers: z.number().int().nonnegative().optional(),
});
export type HeartbeatMessage = z.infer<typeof heartbeatMessageSchema>;

export const catalogPartMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('catalog-part'),
  unitCode: z.string().min(1),
  syncId: z.string().min(1),
  receivedAt: millis,
  part: z.number().int().nonnegative(),
  parts: z.number().int().positive(),
  procedures: z.array(
    z.object({
      procedureCode: z.string(),
      name: z.string(),
      onlineLevel: z.enum(['none', 'partial', 'full']),
      feeBearing: z.boolean(),
    }),
  ),
});
export type CatalogPartMessage = z.infer<typeof catalogPartMessageSchema>;

export const dailyTotalsMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('daily-totals'),
  unitCode: z.string().min(1),
  receivedAt: millis,
  days: z.array(
    z.object({
      date: z.string(),
      received: z.number().int().nonnegative(),
      receivedOnline: z.number().int().nonnegative(),
      resolved: z.number().int().nonnegative(),
      resolvedOnTime: z.number().int().nonnegative(),
    }),
  ),
});
export type DailyTotalsMessage = z.infer<typeof dailyTotalsMessageSchema>;

export const reportMessageSchema = z.discriminatedUnion('kind', [
  catalogPartMessageSchema,
  dailyTotalsMessageSchema,
]);
export type ReportMessage = z.infer<typeof reportMessageSchema>;

/** Feeds map to queues one to one, so a slow feed never holds up another. */
export type Feed = 'heartbeats' | 'dossier-events' | 'reports';
