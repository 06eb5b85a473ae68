import type { Settings } from '../../config/settings.ts';
import type { DossierEvent } from '../../schemas/api.ts';
import { isWithinInstantBounds } from '../../schemas/event-fields.ts';

/**
 * A conservative fast path for the dossier-event schema, for the 1000-event hot path. It accepts only events
 * it can verify completely and returns exactly what the zod schema would; anything unusual (a portal-style
 * procedure code, a timestamp with more than millisecond precision, any wrong type) returns undefined and is
 * judged by zod, which stays the single source of truth and the author of every error message. A property
 * test holds the two to agreement.
 */
export type FastEventParser = (raw: unknown) => DossierEvent | undefined;

const EVENT_ID = /^[A-Za-z0-9._:-]+$/;
const LEVELS = new Set(['none', 'partial', 'full']);
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/**
 * Epoch milliseconds of `YYYY-MM-DDTHH:MM:SS[.s{1,3}](Z|±HH:MM)` within the instant bounds, or NaN for
 * anything else. Read by hand
 * rather than by regular expression: it runs three times per event on the hot path.
 */
export function fastTimestamp(value: unknown): number {
  if (typeof value !== 'string' || value.length < 20 || value.length > 29) return Number.NaN;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T' || value[13] !== ':' || value[16] !== ':') {
    return Number.NaN;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (year < 1999 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return Number.NaN;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN;
  const limit = month === 2 && isLeap(year) ? 29 : (DAYS[month - 1] ?? 0);
  if (day > limit) return Number.NaN;
  let at = 19;
  let millis = 0;
  if (value[at] === '.') {
    let count = 0;
    at++;
    while (count < 3 && at < value.length && value.charCodeAt(at) >= 48 && value.charCodeAt(at) <= 57) {
      millis = millis * 10 + (value.charCodeAt(at) - 48);
      at++;
      count++;
    }
    if (count === 0) return Number.NaN;
    millis *= count === 1 ? 100 : count === 2 ? 10 : 1;
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const rest = value.length - at;
  if (rest === 1 && value[at] === 'Z') return bounded(utc);
  if (rest !== 6 || value[at + 3] !== ':') return Number.NaN;
  const sign = value[at];
  const offsetHours = digits(value, at + 1, 2);
  const offsetMinutes = digits(value, at + 4, 2);
  if (
    (sign !== '+' && sign !== '-') ||
    offsetHours < 0 ||
    offsetHours > 23 ||
    offsetMinutes < 0 ||
    offsetMinutes > 59
  ) {
    return Number.NaN;
  }
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
  return bounded(sign === '+' ? utc - offset : utc + offset);
}

/** Outside the instant bounds zod reports the error, so the fast path steps aside. */
function bounded(ms: number): number {
  return isWithinInstantBounds(ms) ? ms : Number.NaN;
}

const isBool = (value: unknown): value is boolean => typeof value === 'boolean';
const isIntIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;

export function compileFastEventParser(patterns: Settings['identifiers']): FastEventParser {
  const dossier = new RegExp(patterns.dossierCode);
  const procedure = new RegExp(patterns.procedureCode);
  const agency = new RegExp(patterns.agencyCode);

  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
    const e = raw as Record<string, unknown>;
    const { eventId, dossierCode, procedureCode, agencyCode, status } = e;
    if (typeof eventId !== 'string' || eventId.length < 1 || eventId.length > 128 || !EVENT_ID.test(eventId))
      return;
    if (typeof dossierCode !== 'string' || !dossier.test(dossierCode)) return;
    if (typeof procedureCode !== 'string' || !procedure.test(procedureCode)) return;
    if (agencyCode !== undefined && (typeof agencyCode !== 'string' || !agency.test(agencyCode))) return;
    if (!isIntIn(status, 1, 10)) return;
    const occurredAt = fastTimestamp(e.occurredAt);
    if (Number.isNaN(occurredAt)) return;
    const event: DossierEvent = { eventId, dossierCode, procedureCode, status, occurredAt };
    if (agencyCode !== undefined) event.agencyCode = agencyCode;
    if (e.channel !== undefined) {
      if (e.channel !== 1 && e.channel !== 2 && e.channel !== 3) return;
      event.channel = e.channel;
    }
    if (e.onlineLevel !== undefined) {
      if (typeof e.onlineLevel !== 'string' || !LEVELS.has(e.onlineLevel)) return;
      event.onlineLevel = e.onlineLevel as DossierEvent['onlineLevel'];
    }
    for (const field of ['receivedAt', 'dueAt'] as const) {
      if (e[field] === undefined) continue;
      const at = fastTimestamp(e[field]);
      if (Number.isNaN(at)) return;
      event[field] = at;
    }
    if (e.supplementRequests !== undefined) {
      if (!isIntIn(e.supplementRequests, 0, 100)) return;
      event.supplementRequests = e.supplementRequests;
    }
    if (e.payment !== undefined) {
      const payment = e.payment;
      if (typeof payment !== 'object' || payment === null || Array.isArray(payment)) return;
      const { required, online, amountVnd } = payment as Record<string, unknown>;
      if (!isBool(required) || !isBool(online) || !isIntIn(amountVnd, 0, 1e13)) return;
      event.payment = { required, online, amountVnd };
    }
    for (const field of [
      'digitized',
      'electronicResult',
      'fromNationalPortal',
      'resultByPost',
      'noDueDate',
    ] as const) {
      const value = e[field];
      if (value === undefined) continue;
      if (!isBool(value)) return;
      event[field] = value;
    }
    if (e.satisfaction !== undefined) {
      if (!isIntIn(e.satisfaction, 1, 5)) return;
      event.satisfaction = e.satisfaction;
    }
    return event;
  };
}
