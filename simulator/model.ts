import type { QueuedEvent } from '../shared/schemas/queue.ts';

/**
 * An independent, deliberately plain model of the counters: for each dossier, look at all its events at once
 * and count. It shares no code with the worker, so the two can only agree by both being right.
 */
const RECEIVED = [2, 4, 5, 6, 7, 8, 9, 10];
const RESOLVED = [9, 10];
const DAY_MS = 86_400_000;

export type CounterMap = Map<string, number>;

function vnDay(ms: number): string {
  return new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
}

function first(events: QueuedEvent[]): QueuedEvent | undefined {
  return [...events].sort(
    (a, b) => a.occurredAt - b.occurredAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  )[0];
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
    const unit = dossierEvents[0]?.unitCode ?? '';
    const agency = receipt.agencyCode;
    const online = receipt.channel === 2;
    const fee = dossierEvents.some((e) => e.payment?.required);
    const paid = dossierEvents.filter((e) => e.payment?.required && e.payment.online);
    const amount = paid.length > 0 ? Math.max(...paid.map((e) => e.payment?.amountVnd ?? 0)) : 0;
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
    put(receivedDay, 'paidOnline', fee && paid.length > 0 ? 1 : 0);
    put(receivedDay, 'paidOnlineAmountVnd', fee && paid.length > 0 ? amount : 0);
    put(receivedDay, 'resultByPost', dossierEvents.some((e) => e.resultByPost) ? 1 : 0);
    if (online) add(out, `${unit}|${receivedDay.slice(0, 7)}|${receipt.procedureCode}|online`, 1);
    const resolution = first(dossierEvents.filter((e) => RESOLVED.includes(e.status)));
    if (resolution) {
      const day = vnDay(resolution.occurredAt);
      const satisfaction = Math.max(0, ...dossierEvents.map((e) => e.satisfaction ?? 0));
      put(day, 'resolved', 1);
      put(day, 'resolvedOnline', online ? 1 : 0);
      put(day, 'resolvedWithDueDate', resolution.dueAt !== undefined ? 1 : 0);
      const onTime =
        resolution.dueAt !== undefined &&
        resolution.occurredAt <= resolution.dueAt &&
        (resolution.supplementRequests ?? 0) <= 1;
      put(day, 'resolvedOnTime', onTime ? 1 : 0);
      const digitized =
        dossierEvents.some((e) => e.digitized) && dossierEvents.some((e) => e.electronicResult);
      put(day, 'digitized', digitized ? 1 : 0);
      put(day, 'rated', satisfaction > 0 ? 1 : 0);
      put(day, 'satisfied', satisfaction >= 4 ? 1 : 0);
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
