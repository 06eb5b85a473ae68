import type { Settings } from '../../config/settings.ts';
import type { ApiSchemas, DossierEvent } from '../../schemas/api.ts';
import { unitOfAgency } from '../../schemas/identifiers.ts';
import type { QueuedEvent } from '../../schemas/queue.ts';
import type { FieldError } from '../errors.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import type { UnitProfile } from '../ports.ts';
import { compileFastEventParser, type FastEventParser } from './fast-event.ts';
import { fieldErrors } from './issues.ts';
import { RULE_MESSAGES } from './refusals.ts';
import { eventWarnings, type Warning } from './warnings.ts';

const fastParsers = new WeakMap<Settings, FastEventParser>();

function fastParserFor(config: Settings): FastEventParser {
  let parser = fastParsers.get(config);
  if (!parser) {
    parser = compileFastEventParser(config.identifiers);
    fastParsers.set(config, parser);
  }
  return parser;
}

export interface RejectedEvent {
  index: number;
  eventId?: string;
  errors: { path: string; message: string }[];
}

export interface CheckedEvents {
  accepted: QueuedEvent[];
  rejected: RejectedEvent[];
  warnings: Warning[];
}

interface Window {
  notAfter: number;
  notBefore: number;
}

const RECEIPT_FIELDS = ['receivedAt', 'channel', 'onlineLevel'] as const;

/** The legacy feed has no due dates and may not know the online level; everything else must send both. */
export interface CheckOptions {
  dueAtRequired: boolean;
  onlineLevelRequired?: boolean;
}

function statusRuleErrors(
  event: DossierEvent,
  rules: Settings['dossier'],
  window: Window,
  options: CheckOptions,
): FieldError[] {
  const errors: FieldError[] = [];
  if (rules.receivedStatuses.includes(event.status)) {
    for (const field of RECEIPT_FIELDS) {
      if (field === 'onlineLevel' && options.onlineLevelRequired === false) continue;
      if (event[field] === undefined) {
        errors.push({
          path: field,
          message: `is required with status ${event.status}: the dossier has been received`,
        });
      }
    }
  }
  if (
    options.dueAtRequired &&
    event.dueAt === undefined &&
    event.noDueDate !== true &&
    rules.resolvedStatuses.includes(event.status)
  ) {
    errors.push({
      path: 'dueAt',
      message: `is required with status ${event.status}: on-time resolution is judged against it (send noDueDate: true when the procedure has no deadline)`,
    });
  }
  if (event.noDueDate === true && event.dueAt !== undefined) {
    errors.push({ path: 'noDueDate', message: 'cannot be true when dueAt is given' });
  }
  if (event.receivedAt !== undefined && event.receivedAt > event.occurredAt) {
    errors.push({ path: 'receivedAt', message: RULE_MESSAGES.order });
  }
  for (const field of ['occurredAt', 'receivedAt'] as const) {
    const at = event[field];
    if (at === undefined) continue;
    if (at > window.notAfter) errors.push({ path: field, message: RULE_MESSAGES.future });
    else if (at < window.notBefore) errors.push({ path: field, message: RULE_MESSAGES.tooOld });
  }
  return errors;
}

function toQueued(event: DossierEvent, unitCode: string): QueuedEvent {
  const queued: QueuedEvent = {
    eventId: event.eventId,
    dossierCode: event.dossierCode,
    procedureCode: event.procedureCode,
    agencyCode: event.agencyCode ?? unitCode,
    status: event.status,
    occurredAt: event.occurredAt,
  };
  if (event.channel !== undefined) queued.channel = event.channel;
  if (event.onlineLevel !== undefined) queued.onlineLevel = event.onlineLevel;
  if (event.receivedAt !== undefined) queued.receivedAt = event.receivedAt;
  if (event.dueAt !== undefined) queued.dueAt = event.dueAt;
  if (event.noDueDate !== undefined) queued.noDueDate = event.noDueDate;
  if (event.supplementRequests !== undefined) queued.supplementRequests = event.supplementRequests;
  if (event.payment !== undefined) queued.payment = event.payment;
  if (event.digitized !== undefined) queued.digitized = event.digitized;
  if (event.electronicResult !== undefined) queued.electronicResult = event.electronicResult;
  if (event.fromNationalPortal !== undefined) queued.fromNationalPortal = event.fromNationalPortal;
  if (event.resultByPost !== undefined) queued.resultByPost = event.resultByPost;
  if (event.satisfaction !== undefined) queued.satisfaction = event.satisfaction;
  return queued;
}

/**
 * Splits a request's events into accepted and rejected, with every error of every rejected event.
 * An event naming another unit's agency fails the whole request with 403: that is a question of authority,
 * not of form.
 */
export function checkDossierEvents(
  body: unknown,
  unitCode: string,
  now: number,
  schemas: ApiSchemas,
  config: Settings,
  options: CheckOptions = { dueAtRequired: true },
  profile?: UnitProfile,
): CheckedEvents {
  const envelope = schemas.dossierEventsRequest.safeParse(body);
  if (!envelope.success) {
    throw new ValidationError('The body must be {"events": [...]} with 1 to 1000 events.', {
      errors: fieldErrors(envelope.error, '', body),
    });
  }
  if (envelope.data.unitCode !== undefined && envelope.data.unitCode !== unitCode) {
    throw new ForbiddenError(
      `The body names unit ${envelope.data.unitCode}, but the key belongs to unit ${unitCode}.`,
    );
  }
  const window: Window = {
    notAfter: now + config.ingest.maxFutureSkewSeconds * 1000,
    notBefore: now - config.ingest.retentionDays * 86_400_000,
  };
  const fastParse = fastParserFor(config);
  const accepted: QueuedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const warnings: Warning[] = [];
  const raw = envelope.data.events;
  for (let index = 0; index < raw.length; index++) {
    const candidate = raw[index];
    const base = `events[${index}]`;
    let event = fastParse(candidate);
    if (event === undefined) {
      const parsed = schemas.dossierEvent.safeParse(candidate);
      if (!parsed.success) {
        rejected.push(withEventId(index, candidate, fieldErrors(parsed.error, base, candidate)));
        continue;
      }
      event = parsed.data;
    }
    if (event.agencyCode !== undefined && unitOfAgency(event.agencyCode) !== unitCode) {
      throw new ForbiddenError(
        `events[${index}].agencyCode ${event.agencyCode} belongs to unit ${unitOfAgency(event.agencyCode)}, but the key belongs to unit ${unitCode}.`,
      );
    }
    const ruleErrors = statusRuleErrors(event, config.dossier, window, options);
    if (ruleErrors.length > 0) {
      rejected.push({
        index,
        eventId: event.eventId,
        errors: ruleErrors.map((error) => ({ path: `${base}.${error.path}`, message: error.message })),
      });
      continue;
    }
    accepted.push(toQueued(event, unitCode));
    warnings.push(...eventWarnings(event, index, unitCode, profile, config.identifiers));
  }
  return { accepted, rejected, warnings };
}

function withEventId(index: number, candidate: unknown, errors: FieldError[]): RejectedEvent {
  const eventId =
    typeof candidate === 'object' && candidate !== null && 'eventId' in candidate
      ? candidate.eventId
      : undefined;
  return typeof eventId === 'string' ? { index, eventId, errors } : { index, errors };
}

/** Every rejection of a request in which nothing was valid, flattened for a 400 problem document. */
export function allRejected(rejected: readonly RejectedEvent[]): ValidationError {
  const errors = rejected.flatMap((event) =>
    event.errors.map((error) =>
      event.eventId === undefined
        ? { ...error, index: event.index }
        : { ...error, index: event.index, eventId: event.eventId },
    ),
  );
  return new ValidationError(`None of the ${rejected.length} events is valid.`, { errors });
}
