import type { QueuedEvent } from '../shared/schemas/queue.ts';

/**
 * An independent, deliberately plain model of the counters: for each dossier, look at all its events at once
 * and count. It shares no code with the worker, so the two can only agree by both being right. The rules it
 * spells out are the ones docs/snapshots.md states: a refusal (3) after the latest receipt retracts it, the
 * latest due date and the latest rating win, supplements are the most any event reported or the distinct
 * status-5 events, and online payments add up over distinct payment events.
 */
const RECEIVED = [2, 4, 5, 6, 7, 8, 9, 10];
const RESOLVED = [9, 10];
const NOT_ACCEPTED = 3;
const SUPPLEMENT = 5;
const CLOSED = [7, 8];
const DAY_MS = 86_400_000;

export type CounterMap = Map<string, number>;

function vnDay(ms: number): string {
  return new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
}

const byTime = (a: QueuedEvent, b: QueuedEvent): number =>
  a.occurredAt - b.occurredAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

function first(events: QueuedEvent[]): QueuedEvent | undefined {
  return [...events].sort(byTime)[0];
}

function last(events: QueuedEvent[]): QueuedEvent | undefined {
  return [...events].sort(byTime).at(-1);
}

function add(map: CounterMap, key: string, value: number): void {
  if (value !== 0) map.set(key, (map.get(key) ?? 0) + value);
}

/** Keys: `unit|period|scope|counter` for counters and `unit|month|procedure|online` for online services. */
export function expectedCounters(events: readonly (QueuedEvent & { unitCode: string })[]): CounterMap {
  const byDossier = new Map<string, (QueuedEvent & { unitCode: string })[]>();
  for (const event of events) {
    const id = `${event.unitCode}#${event.dossierCode}`;
    byDossier.set(id, [...(byDossier.get(id) ?? []), event]);
  }
  const out: CounterMap = new Map();
  for (const dossierEvents of byDossier.values()) {
    const receipt = first(
      dossierEvents.filter(
        (e) => RECEIVED.includes(e.status) && e.receivedAt !== undefined && e.channel !== undefined,
      ),
    );
    if (!receipt || receipt.receivedAt === undefined) continue;
    const lastReceived = last(dossierEvents.filter((e) => RECEIVED.includes(e.status)));
    const lastRefusal = last(dossierEvents.filter((e) => e.status === NOT_ACCEPTED));
    if (lastRefusal && lastReceived && byTime(lastRefusal, lastReceived) > 0) continue;
    const unit = dossierEvents[0]?.unitCode ?? '';
    const agency = receipt.agencyCode;
    const online = receipt.channel === 2;
    const fee = dossierEvents.some((e) => e.payment?.required);
    const payments = new Map(
      dossierEvents
        .filter((e) => e.payment?.required && e.payment.online)
        .map((e) => [e.eventId, e.payment?.amountVnd ?? 0]),
    );
    const amount = [...payments.values()].reduce((a, b) => a + b, 0);
    const put = (day: string, counter: string, value: number): void => {
      for (const period of [day, day.slice(0, 7)]) {
        add(out, `${unit}|${period}|A#${agency}|${counter}`, value);
        add(out, `${unit}|${period}|U|${counter}`, value);
      }
    };
    const receivedDay = vnDay(receipt.receivedAt);
    put(receivedDay, 'received', 1);
    put(receivedDay, 'receivedOnline', online ? 1 : 0);
    put(receivedDay, 'receivedPostal', receipt.channel === 3 ? 1 : 0);
    put(receivedDay, 'fromNationalPortal', receipt.fromNationalPortal ? 1 : 0);
    put(receivedDay, 'fullOnlineEligible', receipt.onlineLevel === 'full' ? 1 : 0);
    put(receivedDay, 'fullOnline', receipt.onlineLevel === 'full' && online ? 1 : 0);
    put(receivedDay, 'feeRequired', fee ? 1 : 0);
    put(receivedDay, 'paidOnline', fee && payments.size > 0 ? 1 : 0);
    put(receivedDay, 'paidOnlineAmountVnd', fee && payments.size > 0 ? amount : 0);
    put(receivedDay, 'resultByPost', dossierEvents.some((e) => e.resultByPost) ? 1 : 0);
    if (online) add(out, `${unit}|${receivedDay.slice(0, 7)}|${receipt.procedureCode}|online`, 1);
    const dueEvent = last(dossierEvents.filter((e) => e.dueAt !== undefined || e.noDueDate === true));
    const dueAt = dueEvent?.dueAt;
    const resolution = first(dossierEvents.filter((e) => RESOLVED.includes(e.status)));
    if (resolution) {
      const day = vnDay(resolution.occurredAt);
      const rating = last(dossierEvents.filter((e) => e.satisfaction !== undefined))?.satisfaction;
      const supplements = Math.max(
        0,
        ...dossierEvents.map((e) => e.supplementRequests ?? 0),
        new Set(dossierEvents.filter((e) => e.status === SUPPLEMENT).map((e) => e.eventId)).size,
      );
      put(day, 'resolved', 1);
      put(day, 'resolvedOnline', online ? 1 : 0);
      put(day, 'resolvedWithDueDate', dueAt !== undefined ? 1 : 0);
      put(day, 'resolvedNoDueDate', dueEvent !== undefined && dueAt === undefined ? 1 : 0);
      const onTime = dueAt !== undefined && resolution.occurredAt <= dueAt && supplements <= 1;
      put(day, 'resolvedOnTime', onTime ? 1 : 0);
      const digitized =
        dossierEvents.some((e) => e.digitized) && dossierEvents.some((e) => e.electronicResult);
      put(day, 'digitized', digitized ? 1 : 0);
      put(day, 'rated', rating !== undefined ? 1 : 0);
      put(day, 'satisfied', (rating ?? 0) >= 4 ? 1 : 0);
    } else if (dueAt !== undefined && !dossierEvents.some((e) => CLOSED.includes(e.status))) {
      put(vnDay(dueAt), 'openWithDueDate', 1);
    }
    // Closure: every dossier with a due date, unless withdrawn or stopped without a resolution; in time when
    // its first end status came at most three days (the default grace) after the due date.
    if (dueAt !== undefined && (resolution || !dossierEvents.some((e) => CLOSED.includes(e.status)))) {
      put(vnDay(dueAt), 'closureDue', 1);
      put(vnDay(dueAt), 'closureInGrace', resolution && resolution.occurredAt <= dueAt + 3 * DAY_MS ? 1 : 0);
    }
  }
  return out;
}

/** The same map read from the state table's counter and service items. */
export function storedCounters(items: readonly Record<string, unknown>[]): CounterMap {
  const out: CounterMap = new Map();
  for (const item of items) {
    const pk = String(item.pk);
    const sk = String(item.sk);
    if (pk.startsWith('C#')) {
      const [, unit, period] = pk.split('#');
      for (const [name, value] of Object.entries(item)) {
        if (name === 'pk' || name === 'sk' || typeof value !== 'number') continue;
        add(out, `${unit}|${period}|${sk}|${name}`, value);
      }
    } else if (pk.startsWith('S#')) {
      const [, unit, year] = pk.split('#');
      for (const [name, value] of Object.entries(item)) {
        if (!/^m\d\d$/.test(name) || typeof value !== 'number') continue;
        add(out, `${unit}|${year}-${name.slice(1)}|${sk}|online`, value);
      }
    }
  }
  return out;
}

export const DAY = DAY_MS;
