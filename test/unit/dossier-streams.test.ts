import { describe, expect, it } from 'vitest';
import { generateStream, type UnitEvent } from '../helpers/dossier-streams.ts';

/** Dossiers no event of which says a fee is required. */
const dossiersWithoutFee = (events: readonly UnitEvent[]): number =>
  new Set(events.map((e) => e.dossierCode)).size -
  new Set(events.filter((e) => e.payment?.required === true).map((e) => e.dossierCode)).size;

describe('the generated dossier streams the worker and operations tests replay', () => {
  it('hold every input class the counting rules distinguish', () => {
    const events = generateStream(11, { dossiers: 200 });
    const resolutions = events.filter((e) => e.status === 9 || e.status === 10);
    const classes = {
      resolvedWithDueDate: resolutions.some((e) => e.dueAt !== undefined),
      resolvedWithoutDueDate: resolutions.some((e) => e.dueAt === undefined && e.noDueDate === undefined),
      resolvedSaidToHaveNoDueDate: resolutions.some((e) => e.dueAt === undefined && e.noDueDate === true),
      resolvedLate: resolutions.some((e) => e.dueAt !== undefined && e.occurredAt > e.dueAt),
      secondSupplementRequest: resolutions.some((e) => (e.supplementRequests ?? 0) >= 2),
      noPaymentField: events.some((e) => e.status >= 2 && e.payment === undefined),
      dossierWithoutFee: dossiersWithoutFee(events) > 0,
      feeSaidToBeNone: events.some((e) => e.payment?.required === false),
      feePaidOnline: events.some((e) => e.payment?.required === true && e.payment.online),
      feeNotPaidOnline: events.some((e) => e.payment?.required === true && !e.payment.online),
      channels: [...new Set(events.flatMap((e) => (e.channel === undefined ? [] : [e.channel])))].sort(),
      levels: [
        ...new Set(events.flatMap((e) => (e.onlineLevel === undefined ? [] : [e.onlineLevel]))),
      ].sort(),
      statuses: [...new Set(events.map((e) => e.status))].sort((a, b) => a - b),
    };
    expect(classes).toEqual({
      resolvedWithDueDate: true,
      resolvedWithoutDueDate: true,
      resolvedSaidToHaveNoDueDate: true,
      resolvedLate: true,
      secondSupplementRequest: true,
      noPaymentField: true,
      dossierWithoutFee: true,
      feeSaidToBeNone: true,
      feePaidOnline: true,
      feeNotPaidOnline: true,
      channels: [1, 2, 3],
      levels: ['full', 'none', 'partial'],
      statuses: [1, 2, 4, 5, 9, 10],
    });
  });

  it('through the API, give every resolution a due date or say it has none, and keep both classes', () => {
    const resolutions = generateStream(11, { dossiers: 200, viaApi: true }).filter(
      (e) => e.status === 9 || e.status === 10,
    );
    expect(resolutions.filter((e) => e.dueAt === undefined && e.noDueDate !== true)).toEqual([]);
    expect(resolutions.filter((e) => e.noDueDate === true).length).toBeGreaterThan(0);
    expect(resolutions.filter((e) => e.dueAt !== undefined).length).toBeGreaterThan(0);
  });
});
