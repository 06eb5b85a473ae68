import { createHash } from 'node:crypto';
import type { LegacyEmcEvent } from '../../schemas/legacy-emc.ts';

/** Legacy status codes to national ones. "Other" becomes "registered", which counts nothing but liveness. */
const STATUS: Record<number, number> = { 0: 1, 1: 2, 2: 4, 3: 10 };

/**
 * A canonical dossier event (API shape, before validation) from a legacy EMC record.
 * The legacy feed carries no event id and no times, so the id is derived from the content (a resend maps to
 * the same id) and the times are the server's receive time. It carries no due date either, so its
 * resolutions count as resolved but stay outside the on-time rate.
 */
export function fromLegacyEmc(record: LegacyEmcEvent, receivedAtIso: string): Record<string, unknown> {
  const status = STATUS[record.status] ?? 1;
  const fingerprint = [
    record.codeProfile,
    record.status,
    record.formsReception,
    record.formsPayments,
    record.level,
  ]
    .map((part) => String(part ?? ''))
    .join('|');
  const eventId = `emc-${createHash('sha256').update(fingerprint).digest('hex').slice(0, 32)}`;
  const channel = record.isDVCBC === 1 ? 3 : record.formsReception === 1 ? 2 : 1;
  const onlineLevel = record.level === 4 ? 'full' : record.level === 3 ? 'partial' : 'none';
  const event: Record<string, unknown> = {
    eventId,
    dossierCode: record.codeProfile,
    procedureCode: record.codeTTHC,
    status,
    occurredAt: receivedAtIso,
  };
  if (status !== 1) {
    event.receivedAt = receivedAtIso;
    event.channel = channel;
    event.onlineLevel = onlineLevel;
  }
  if (record.formsPayments !== undefined) {
    event.payment = {
      required: record.formsPayments !== 0,
      online: record.formsPayments === 1,
      amountVnd: 0,
    };
  }
  if (record.isFromDVCQG !== undefined) event.fromNationalPortal = record.isFromDVCQG;
  return event;
}
