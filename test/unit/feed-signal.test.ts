import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.ts';
import { countDossierEvents } from '../../shared/domain/worker/count-dossier-events.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import type { QueuedEvent } from '../../shared/schemas/queue.ts';
import { MemoryDossierStore } from '../helpers/memory-dossier-store.ts';

const options = countOptions(loadSettings({}));
const AT = Date.parse('2026-11-22T03:00:00Z');

const event = (status: number, eventId = `e${status}`): QueuedEvent => ({
  eventId,
  dossierCode: '000.00.53.H48-261122-0001',
  procedureCode: '1.001234',
  agencyCode: '000.00.53.H48',
  status,
  channel: 2,
  onlineLevel: 'full',
  occurredAt: AT - 60_000,
  receivedAt: AT - 60_000,
});

const send = (store: MemoryDossierStore, events: QueuedEvent[], acceptedAt: number) =>
  countDossierEvents(
    [
      {
        id: `m${acceptedAt}`,
        message: { v: 1, kind: 'dossier-events', unitCode: 'H48', requestId: 'r', acceptedAt, events },
      },
    ],
    store,
    options,
  );

describe('what refreshes a unit’s dossier feed signal', () => {
  it('is not a status-1 (registered) event: it counts nothing', async () => {
    const store = new MemoryDossierStore();
    await send(store, [event(1)], AT);
    expect(store.feedTouches).toEqual([]);
  });

  it('is a received event, and then not its exact duplicate', async () => {
    const store = new MemoryDossierStore();
    await send(store, [event(2)], AT);
    expect(store.feedTouches).toEqual([['H48', AT]]);
    await send(store, [event(2)], AT + 48 * 3_600_000);
    expect(store.feedTouches).toEqual([['H48', AT]]);
  });

  it('is a resolution of the same dossier, which is new information', async () => {
    const store = new MemoryDossierStore();
    await send(store, [event(2)], AT);
    await send(store, [{ ...event(9), occurredAt: AT, dueAt: AT + 86_400_000 }], AT + 3_600_000);
    expect(store.feedTouches.map(([, at]) => at)).toEqual([AT, AT + 3_600_000]);
  });

  it('survives a feed write that fails: the redelivered batch refreshes it, although its events were counted', async () => {
    const store = new MemoryDossierStore();
    const touch = store.touchFeed.bind(store);
    let failures = 1;
    store.touchFeed = async (unitCode, receivedAt) => {
      if (failures-- > 0) throw new Error('connection reset');
      await touch(unitCode, receivedAt);
    };
    await expect(send(store, [event(2)], AT)).rejects.toThrow('connection reset');
    expect(store.feedTouches).toEqual([]);
    // SQS delivers the same message again.
    await send(store, [event(2)], AT);
    expect(store.feedTouches).toEqual([['H48', AT]]);
    // Counted once: the first delivery committed nothing.
    await send(store, [event(2)], AT);
    expect(store.feedTouches).toEqual([['H48', AT]]);
  });
});
