import type { QueuedEvent } from '../../schemas/queue.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON must escape exactly these control characters
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;

function str(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * JSON for one queued event, written field by field: the shape is fixed and validated, so this skips the
 * generic walk of JSON.stringify on the ingest hot path. `JSON.parse(serializeQueuedEvent(e))` equals `e`;
 * a property test holds it to that.
 */
export function serializeQueuedEvent(e: QueuedEvent): string {
  let out = `{"eventId":${str(e.eventId)},"dossierCode":${str(e.dossierCode)},"procedureCode":${str(
    e.procedureCode,
  )},"agencyCode":${str(e.agencyCode)},"status":${e.status},"occurredAt":${e.occurredAt}`;
  if (e.channel !== undefined) out += `,"channel":${e.channel}`;
  if (e.onlineLevel !== undefined) out += `,"onlineLevel":"${e.onlineLevel}"`;
  if (e.receivedAt !== undefined) out += `,"receivedAt":${e.receivedAt}`;
  if (e.dueAt !== undefined) out += `,"dueAt":${e.dueAt}`;
  if (e.noDueDate !== undefined) out += `,"noDueDate":${e.noDueDate}`;
  if (e.supplementRequests !== undefined) out += `,"supplementRequests":${e.supplementRequests}`;
  if (e.payment !== undefined) {
    out += `,"payment":{"required":${e.payment.required},"online":${e.payment.online},"amountVnd":${e.payment.amountVnd}}`;
  }
  if (e.digitized !== undefined) out += `,"digitized":${e.digitized}`;
  if (e.electronicResult !== undefined) out += `,"electronicResult":${e.electronicResult}`;
  if (e.fromNationalPortal !== undefined) out += `,"fromNationalPortal":${e.fromNationalPortal}`;
  if (e.satisfaction !== undefined) out += `,"satisfaction":${e.satisfaction}`;
  if (e.resultByPost !== undefined) out += `,"resultByPost":${e.resultByPost}`;
  return `${out}}`;
}
