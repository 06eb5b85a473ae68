import type { DossierEventsMessage, QueuedEvent } from '../../shared/schemas/queue.ts';
import { prng } from '../../test/helpers/dossier-streams.ts';

export type UnitEvent = QueuedEvent & { unitCode: string };

const HOUR = 3_600_000;

/** 20 ministries and sectors, 63 provinces: the 2024 registry's shape. */
export function unitCodes(): string[] {
  const ministries = Array.from({ length: 20 }, (_, i) => `G${String(i + 1).padStart(2, '0')}`);
  const provinces = Array.from({ length: 63 }, (_, i) => `H${String(i + 1).padStart(2, '0')}`);
  return [...ministries, ...provinces];
}

/**
 * Complete dossier lifecycles for 83 units until `targetEvents` events exist: provinces far busier than
 * ministries, agencies Zipf-weighted inside each unit, about 38% online, some supplements, unresolved
 * dossiers, ratings, and about 3% of events resent.
 */
export function realisticEvents(targetEvents: number, seed = 2024): UnitEvent[] {
  const random = prng(seed);
  const units = unitCodes();
  const weights = units.map((code) => (code.startsWith('H') ? 3 + random() * 6 : 0.5 + random()));
  const total = weights.reduce((a, b) => a + b, 0);
  const pickUnit = (): string => {
    let r = random() * total;
    for (let i = 0; i < units.length; i++) {
      r -= weights[i] ?? 0;
      if (r <= 0) return units[i] ?? 'H01';
    }
    return units[units.length - 1] ?? 'H01';
  };
  const start = Date.parse('2026-11-16T01:00:00Z');
  const events: UnitEvent[] = [];
  for (let d = 0; events.length < targetEvents; d++) {
    const unitCode = pickUnit();
    const agencyRank = Math.floor(1 / (random() * 0.95 + 0.05)) % 40;
    const agencyCode = `000.${String(agencyRank).padStart(2, '0')}.${String(10 + (agencyRank % 60)).padStart(2, '0')}.${unitCode}`;
    const dossierCode = `${agencyCode}-261116-${String(d).padStart(6, '0')}`;
    const procedureCode = `1.00${String(1000 + Math.floor(random() * random() * 300)).padStart(4, '0')}`;
    const receivedAt = start + Math.floor(random() * 7 * 24) * HOUR;
    const channel = random() < 0.385 ? 2 : random() < 0.05 ? 3 : 1;
    const onlineLevel = random() < 0.5 ? 'full' : random() < 0.6 ? 'partial' : 'none';
    const fee = random() < 0.4;
    const supplement = random() < 0.15;
    const resolved = random() < 0.85;
    const statuses = [2, 4, ...(supplement ? [5] : []), ...(resolved ? [9, 10] : [])];
    const dueAt = receivedAt + Math.floor(48 + random() * 200) * HOUR;
    let at = receivedAt;
    for (const status of statuses) {
      at += status === 2 ? 0 : Math.floor(1 + random() * 60) * HOUR;
      const event: UnitEvent = {
        unitCode,
        eventId: `${dossierCode}-${status}`,
        dossierCode,
        procedureCode,
        agencyCode,
        status,
        occurredAt: at,
        receivedAt,
        channel,
        onlineLevel,
      };
      if (status >= 9) {
        event.dueAt = dueAt;
        event.supplementRequests = supplement ? 1 : 0;
        event.digitized = random() < 0.6;
        event.electronicResult = random() < 0.7;
      }
      if (fee) event.payment = { required: true, online: channel === 2 && random() < 0.7, amountVnd: 50_000 };
      if (status === 10 && random() < 0.3) event.satisfaction = 3 + Math.floor(random() * 3);
      events.push(event);
      if (random() < 0.03) events.push({ ...event });
    }
  }
  return events.slice(0, targetEvents).sort((a, b) => a.occurredAt - b.occurredAt);
}

/** What units send: every `windowMs` each unit sends what happened since, up to 1000 events per request. */
export function sendWindows(events: readonly UnitEvent[], windowMs: number): DossierEventsMessage[] {
  const messages: DossierEventsMessage[] = [];
  const open = new Map<string, { window: number; events: QueuedEvent[] }>();
  const flush = (unitCode: string): void => {
    const entry = open.get(unitCode);
    if (entry && entry.events.length > 0) {
      messages.push({
        v: 1,
        kind: 'dossier-events',
        unitCode,
        requestId: `${unitCode}-${entry.window}`,
        acceptedAt: entry.window * windowMs + windowMs,
        events: entry.events,
      });
    }
    open.delete(unitCode);
  };
  for (const { unitCode, ...event } of events) {
    const window = Math.floor(event.occurredAt / windowMs);
    const entry = open.get(unitCode);
    if (entry && (entry.window !== window || entry.events.length >= 1000)) flush(unitCode);
    const current = open.get(unitCode) ?? { window, events: [] };
    current.events.push(event);
    open.set(unitCode, current);
  }
  for (const unitCode of [...open.keys()]) flush(unitCode);
  return messages.sort((a, b) => a.acceptedAt - b.acceptedAt);
}
