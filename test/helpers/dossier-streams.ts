import type { DossierEventsMessage, QueuedEvent } from '../../shared/schemas/queue.ts';

export type UnitEvent = QueuedEvent & { unitCode: string };

export { prng } from '../../simulator/random.ts';

import { prng } from '../../simulator/random.ts';

const BASE = Date.parse('2026-11-20T01:00:00Z');
const HOUR = 3_600_000;

/**
 * Dossier lifecycles with the mixes the real feeds have: channels, levels, fees (required, or said to be
 * none), supplements, late and missing statuses, resolutions on later days and without a due date, and
 * occasional disagreement between events of one dossier.
 */
export function generateStream(
  seed: number,
  options: {
    units?: string[];
    dossiers?: number;
    agencies?: number;
    spanHours?: number;
    /** Streams sent through the API give every resolution its due date or `noDueDate: true`, as `POST /v1/dossier-events` requires. */
    viaApi?: boolean;
  } = {},
): UnitEvent[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const units = options.units ?? ['H48', 'G12'];
  const events: UnitEvent[] = [];
  for (let d = 0; d < (options.dossiers ?? 40); d++) {
    const unitCode = pick(units);
    const agencyCode = `000.00.${String(10 + Math.floor(random() * (options.agencies ?? 3))).padStart(2, '0')}.${unitCode}`;
    const dossierCode = `${agencyCode}-261120-${String(d).padStart(4, '0')}`;
    const procedureCode = `1.00${String(1000 + Math.floor(random() * 5)).padStart(4, '0')}`;
    const receivedAt = BASE + Math.floor(random() * (options.spanHours ?? 72)) * HOUR;
    const channel = pick([1, 2, 2, 3] as const);
    const onlineLevel = pick(['none', 'partial', 'full', 'full'] as const);
    const dueAt = receivedAt + Math.floor(24 + random() * 72) * HOUR;
    const feeRequired = random() < 0.5;
    // Some systems send no due date (half of them saying outright that the procedure has none, as the API
    // requires), and some say "no fee" outright instead of leaving payment out.
    const dueDateKnown = random() < 0.85;
    const noDueDateSaid = !dueDateKnown && (options.viaApi === true || d % 2 === 1);
    const noFeeSaid = random() < 0.5;
    const common = { unitCode, dossierCode, procedureCode, agencyCode };
    const receiptFields = { receivedAt, channel, onlineLevel, fromNationalPortal: random() < 0.3 };
    const lifecycle: number[] = random() < 0.2 ? [1, 2] : [1, 2, 4, ...(random() < 0.3 ? [5] : []), 9, 10];
    let at = receivedAt;
    for (const status of lifecycle) {
      at += status === 1 ? -HOUR : Math.floor(random() * 30) * HOUR;
      const event: UnitEvent = {
        ...common,
        eventId: `${dossierCode}-${status}`,
        status,
        occurredAt: Math.max(at, receivedAt - HOUR),
      };
      if (status !== 1) Object.assign(event, receiptFields);
      if (status === 9 || status === 10) {
        if (dueDateKnown) event.dueAt = dueAt;
        if (noDueDateSaid) event.noDueDate = true;
        event.supplementRequests = lifecycle.includes(5) ? pick([1, 2]) : 0;
        if (random() < 0.7) event.digitized = true;
        if (random() < 0.7) event.electronicResult = true;
      }
      if (status === 10 && random() < 0.5) event.satisfaction = 1 + Math.floor(random() * 5);
      if (feeRequired && status >= 2) {
        event.payment = {
          required: true,
          online: channel === 2 && random() < 0.8,
          amountVnd: pick([20_000, 50_000, 100_000]),
        };
      } else if (noFeeSaid && status >= 2) {
        event.payment = { required: false, online: false, amountVnd: 0 };
      }
      // Now and then an event disagrees with its dossier's receipt, as real feeds sometimes do.
      if (status === 4 && random() < 0.1) event.channel = pick([1, 2, 3] as const);
      events.push(event);
    }
  }
  return events;
}

/** Packs a stream into queue messages of up to `size` events, one unit per message, as ingest does. */
export function toMessages(
  events: readonly UnitEvent[],
  size: number,
  acceptedAt = Date.parse('2026-11-23T03:00:00Z'),
): DossierEventsMessage[] {
  const messages: DossierEventsMessage[] = [];
  const emit = (unitCode: string, list: QueuedEvent[]): void => {
    messages.push({
      v: 1,
      kind: 'dossier-events',
      unitCode,
      requestId: `r${messages.length}`,
      acceptedAt,
      events: list,
    });
  };
  const byUnit = new Map<string, QueuedEvent[]>();
  for (const { unitCode, ...event } of events) {
    const list = byUnit.get(unitCode) ?? [];
    list.push(event);
    byUnit.set(unitCode, list);
    if (list.length >= size) {
      emit(unitCode, list);
      byUnit.set(unitCode, []);
    }
  }
  for (const [unitCode, list] of byUnit) {
    if (list.length > 0) emit(unitCode, list);
  }
  return messages;
}

/** The stream moved so that its last moment is an hour ago (ingest refuses the future), receipts never after their event. */
export function pastStream(events: readonly UnitEvent[], now: number): UnitEvent[] {
  const latest = events.reduce((max, e) => Math.max(max, e.occurredAt, e.receivedAt ?? 0, e.dueAt ?? 0), 0);
  const shift = now - 3_600_000 - latest;
  return events.map((e) => ({
    ...e,
    occurredAt: Math.max(e.occurredAt, e.receivedAt ?? 0) + shift,
    ...(e.receivedAt === undefined ? {} : { receivedAt: e.receivedAt + shift }),
    ...(e.dueAt === undefined ? {} : { dueAt: e.dueAt + shift }),
  }));
}

/** An event as a unit sends it to `POST /v1/dossier-events`: ISO times, no unit code. */
export function apiEvent({
  unitCode: _unit,
  occurredAt,
  receivedAt,
  dueAt,
  ...event
}: UnitEvent): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    ...event,
    occurredAt: iso(occurredAt),
    ...(receivedAt === undefined ? {} : { receivedAt: iso(receivedAt) }),
    ...(dueAt === undefined ? {} : { dueAt: iso(dueAt) }),
  };
}
