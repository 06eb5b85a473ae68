import { createHash } from 'node:crypto';
import type { LegacyEmcEvent } from '../../schemas/legacy-emc.ts';
import type { FieldError } from '../errors.ts';
import type { CatalogProcedure } from '../ports.ts';
import type { SenderProfile } from './sender-profiles.ts';

/**
 * The forms a dossier code takes: `000.00.53.H48-220921-0099` (agency, receipt day YYMMDD, sequence) and,
 * from 2026, `H48.123.45-260125-010099` (unit, a local agency number, receipt day, sequence).
 */
const DOSSIER_CODE_FORMS: readonly RegExp[] = [
  /^(?<agency>\d{3}\.\d{2}\.\d{2}\.(?<unit>[A-Y]\d{2}))-(?<day>\d{6})-\d+$/,
  /^(?<unit>[A-Y]\d{2})(?:\.\d+)+-(?<day>\d{6})-\d+$/,
];

export interface DossierCodeFacts {
  unitCode: string;
  /** Present only in the agency form; the newer form's local agency number is no national code. */
  agencyCode?: string;
  /** The receipt day, YYYY-MM-DD. */
  day: string;
}

/** What a dossier code says about the dossier, or undefined when it is in neither known form. */
export function parseDossierCode(code: string): DossierCodeFacts | undefined {
  for (const form of DOSSIER_CODE_FORMS) {
    const groups = form.exec(code)?.groups;
    const yymmdd = groups?.day;
    const unitCode = groups?.unit;
    if (!yymmdd || !unitCode) continue;
    const day = `20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
    const check = new Date(`${day}T00:00:00Z`);
    if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== day) return undefined;
    const facts: DossierCodeFacts = { unitCode, day };
    if (groups.agency) facts.agencyCode = groups.agency;
    return facts;
  }
  return undefined;
}

export interface LegacyContext {
  /** When the record arrived: the only time the feed gives. */
  arrivedAt: number;
  unitCode: string;
  utcOffsetMinutes: number;
  /** The record's procedure in the unit's synced catalogue, when there is one that lists it. */
  procedure?: CatalogProcedure;
}

/** The dossier code: `codeProfile`, or `maHoSo` when only the .NET system's field carries it. */
export function legacyDossierCode(record: LegacyEmcEvent): string {
  return record.codeProfile ?? record.maHoSo ?? '';
}

/**
 * A canonical dossier event (API shape, before validation) from a legacy record, read by its sender's profile.
 * - The id is derived from the record's content, so a resend maps to the same id.
 * - The receipt day and the agency come from the dossier code (never later than arrival, and the agency
 *   only when it is inside the key's unit); the status change itself happened when the record arrived.
 * - The channel comes from `formsReception` alone; `isDVCBC` is the result's delivery, its own fact.
 * - Fields the profile calls installation constants are ignored; codes its tables do not know stay absent.
 * - What the record cannot say and the profile takes from the catalogue (the online level, the fee) comes
 *   from the procedure's catalogue entry, when the unit's catalogue lists it.
 * - No due date is sent, so resolutions stay outside the on-time rate and are counted as without one.
 */
export function fromLegacyEmc(
  record: LegacyEmcEvent,
  profile: SenderProfile,
  context: LegacyContext,
): Record<string, unknown> {
  const dossierCode = legacyDossierCode(record);
  const legacyStatus = record.status ?? 0;
  const status = profile.status[legacyStatus] ?? 1;
  const fingerprint = [dossierCode, record.status, record.formsReception, record.formsPayments, record.level]
    .map((part) => String(part ?? ''))
    .join('|');
  const eventId = `emc-${createHash('sha256').update(fingerprint).digest('hex').slice(0, 32)}`;
  const event: Record<string, unknown> = {
    eventId,
    dossierCode,
    procedureCode: record.codeTTHC,
    status,
    occurredAt: new Date(context.arrivedAt).toISOString(),
  };
  const facts = parseDossierCode(dossierCode);
  if (facts?.agencyCode && facts.unitCode === context.unitCode) event.agencyCode = facts.agencyCode;
  if (status !== 1) {
    const dayStart = facts
      ? Date.parse(`${facts.day}T00:00:00Z`) - context.utcOffsetMinutes * 60_000
      : context.arrivedAt;
    event.receivedAt = new Date(Math.min(dayStart, context.arrivedAt)).toISOString();
    event.channel =
      (record.formsReception === undefined ? undefined : profile.channel[record.formsReception]) ??
      profile.channelWhenAbsent;
    const level =
      reported(profile, 'level', record.level, profile.level) ??
      (profile.fromCatalogue.includes('onlineLevel') ? context.procedure?.onlineLevel : undefined);
    if (level !== undefined) event.onlineLevel = level;
  }
  const payment =
    reported(profile, 'formsPayments', record.formsPayments, profile.payment) ??
    (context.procedure && profile.fromCatalogue.includes('feeBearing')
      ? { required: context.procedure.feeBearing, online: false }
      : undefined);
  if (payment !== undefined) event.payment = { ...payment, amountVnd: 0 };
  if (record.isFromDVCQG !== undefined && !profile.constants.includes('isFromDVCQG'))
    event.fromNationalPortal = record.isFromDVCQG;
  const byPost = record.isDVCBC === undefined ? undefined : profile.resultByPost[record.isDVCBC];
  if (byPost !== undefined) event.resultByPost = byPost;
  return event;
}

function reported<T>(
  profile: SenderProfile,
  field: 'level' | 'formsPayments',
  code: number | undefined,
  table: Readonly<Record<number, T>>,
): T | undefined {
  if (code === undefined || profile.constants.includes(field)) return undefined;
  return table[code];
}

/**
 * The body without the fields its sender fills with installation constants: they carry nothing, so an
 * installation whose constant is outside the national codes must not have every record refused for it.
 */
export function withoutConstants(body: unknown, profile: SenderProfile): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || profile.constants.length === 0)
    return body;
  const constants: readonly string[] = profile.constants;
  return Object.fromEntries(Object.entries(body).filter(([key]) => !constants.includes(key)));
}

/** Canonical paths back to the legacy field the sender can fix. */
const LEGACY_FIELD: Record<string, { field: string; why?: string }> = {
  dossierCode: { field: 'codeProfile' },
  procedureCode: { field: 'codeTTHC' },
  agencyCode: { field: 'codeProfile' },
  receivedAt: { field: 'codeProfile', why: 'the receipt day in the dossier code' },
};

/** The errors of the canonical event, named by the legacy fields they come from. */
export function legacyFieldErrors(errors: readonly FieldError[]): FieldError[] {
  return errors.map((error) => {
    const canonical = error.path.replace(/^events\[\d+\]\.?/, '').split('.')[0] ?? '';
    const legacy = LEGACY_FIELD[canonical];
    if (!legacy) return { path: canonical || '(body)', message: error.message };
    return {
      path: legacy.field,
      message: legacy.why ? `${legacy.why} ${error.message}` : error.message,
    };
  });
}
