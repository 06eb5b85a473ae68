import type { RefusalReason } from '../../schemas/me.ts';
import { ClientError, type ErrorKind, type FieldError } from '../errors.ts';
import type { Refusal } from '../ports.ts';
import type { RejectedEvent } from './dossier-events.ts';

/** The messages of the status and time rules, shared with their checks so the reason cannot drift. */
export const RULE_MESSAGES = {
  future: 'is more than 5 minutes in the future',
  tooOld: 'is older than the retention window and can no longer be counted',
  order: 'must not be later than occurredAt',
} as const;

function reasonOfField(error: { message: string }): RefusalReason {
  if (error.message.startsWith('is required')) return 'missing-field';
  if (error.message === RULE_MESSAGES.future) return 'time-in-future';
  if (error.message === RULE_MESSAGES.tooOld) return 'time-too-old';
  if (error.message === RULE_MESSAGES.order) return 'time-order';
  return 'invalid-value';
}

/** Each rejected event counts once, under the reason of its first error. */
export function refusalsOfRejected(rejected: readonly RejectedEvent[]): Refusal[] {
  return rejected.flatMap((event) => {
    const first = event.errors[0];
    if (!first) return [];
    const refusal: Refusal = { reason: reasonOfField(first), path: first.path, message: first.message };
    if (event.eventId !== undefined) refusal.eventId = event.eventId;
    return [refusal];
  });
}

const BY_KIND: Partial<Record<ErrorKind, RefusalReason>> = {
  invalid: 'invalid-body',
  forbidden: 'other-unit',
  retired: 'retired-unit',
  'too-large': 'too-large',
  'unsupported-media-type': 'unsupported-media-type',
};

/**
 * The refusals a client error stands for, once the key is known: one per event when the request listed
 * events, otherwise one for the request. An unauthenticated request is never attributed (no unit is known),
 * and a rate-limited one is not recorded (a flood would otherwise write once per refused request).
 */
export function refusalsOfError(error: unknown): Refusal[] {
  if (!(error instanceof ClientError)) return [];
  const reason = BY_KIND[error.kind];
  if (reason === undefined) return [];
  const errors: readonly FieldError[] = error.errors ?? [];
  if (error.kind === 'invalid' && errors.length > 0) {
    const byEvent = new Map<number, RejectedEvent>();
    const unindexed: FieldError[] = [];
    for (const field of errors) {
      if (field.index === undefined) {
        unindexed.push(field);
        continue;
      }
      const event = byEvent.get(field.index) ?? { index: field.index, eventId: field.eventId, errors: [] };
      event.errors.push(field);
      byEvent.set(field.index, event);
    }
    if (byEvent.size > 0) return refusalsOfRejected([...byEvent.values()]);
    const first = unindexed[0];
    if (first) return [{ reason: reasonOfField(first), path: first.path, message: first.message }];
  }
  return [{ reason, path: '(request)', message: error.message.slice(0, 300) }];
}
