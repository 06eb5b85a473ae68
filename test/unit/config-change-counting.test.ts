import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.ts';
import { addDelta, emptyDelta } from '../../shared/domain/dossier/delta.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { type CountOptions, countDossierEvents } from '../../shared/domain/worker/count-dossier-events.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import type { QueuedEvent } from '../../shared/schemas/queue.ts';
import { MemoryDossierStore } from '../helpers/memory-dossier-store.ts';

const base = countOptions(loadSettings({}));
const inZone = (minutes: number): CountOptions => ({ ...base, dayOf: (ms) => dayOf(ms, minutes) });

/** 2026-11-22 20:00 UTC: 23 November in Vietnam, 22 November in UTC. */
const RECEIVED = Date.parse('2026-11-22T20:00:00Z');
const resolved: QueuedEvent = {
  eventId: 'e9',
  dossierCode: '000.00.53.H48-261122-0001',
  procedureCode: '1.001234',
  agencyCode: '000.00.53.H48',
  status: 9,
  channel: 2,
  onlineLevel: 'full',
  occurredAt: RECEIVED + 60_000,
  receivedAt: RECEIVED,
  dueAt: RECEIVED + 86_400_000,
};

async function count(store: MemoryDossierStore, events: QueuedEvent[], options: CountOptions): Promise<void> {
  const result = await countDossierEvents(
    [
      {
        id: 'm',
        message: {
          v: 1,
          kind: 'dossier-events',
          unitCode: 'H48',
          requestId: 'r',
          acceptedAt: RECEIVED,
          events,
        },
      },
    ],
    store,
    options,
  );
  expect(result.failedMessageIds).toEqual([]);
}

function totals(store: MemoryDossierStore): Map<string, Record<string, number>> {
  const sum = emptyDelta();
  for (const delta of store.deltas) addDelta(sum, delta);
  const out = new Map<string, Record<string, number>>();
  for (const [cell, values] of sum.cells) {
    const nonZero = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== 0));
    if (Object.keys(nonZero).length > 0) out.set(cell, nonZero as Record<string, number>);
  }
  return out;
}

describe('a configuration change never breaks exact counting', () => {
  it('subtracts what was counted, not a recomputation under the new time zone', async () => {
    const store = new MemoryDossierStore();
    await count(store, [resolved], inZone(420));
    // Received and resolved on the 23rd in Vietnam, due (the closure counters' day) on the 24th.
    expect([...totals(store).keys()]).toEqual(['2026-11-23|000.00.53.H48', '2026-11-24|000.00.53.H48']);
    await count(
      store,
      [{ ...resolved, eventId: 'e9-rated', satisfaction: 5, occurredAt: RECEIVED + 120_000 }],
      inZone(0),
    );
    const after = totals(store);
    expect([...after.keys()].sort()).toEqual(['2026-11-22|000.00.53.H48', '2026-11-23|000.00.53.H48']);
    const cell = after.get('2026-11-22|000.00.53.H48') ?? {};
    expect(cell).toMatchObject({ received: 1, resolved: 1, rated: 1, satisfied: 1 });
    for (const value of Object.values(cell)) expect(value).toBeGreaterThan(0);
  });

  it('subtracts what was counted when the closure grace changes', async () => {
    const store = new MemoryDossierStore();
    const late = { ...resolved, occurredAt: RECEIVED + 86_400_000 + 3_600_000 };
    await count(store, [late], { ...base, rules: { ...base.rules, closureGraceDays: 1 } });
    await count(store, [{ ...late, eventId: 'e9-rated', satisfaction: 5, occurredAt: late.occurredAt + 1 }], {
      ...base,
      rules: { ...base.rules, closureGraceDays: 0 },
    });
    const cells = [...totals(store).values()];
    expect(cells.reduce((sum, cell) => sum + (cell.closureDue ?? 0), 0)).toBe(1);
    expect(cells.reduce((sum, cell) => sum + (cell.closureInGrace ?? 0), 0)).toBe(0);
  });

  it('subtracts what was counted when the satisfaction threshold changes', async () => {
    const store = new MemoryDossierStore();
    await count(store, [{ ...resolved, satisfaction: 4 }], {
      ...base,
      rules: { ...base.rules, satisfiedAtLeast: 4 },
    });
    await count(
      store,
      [
        {
          ...resolved,
          eventId: 'late-digitised',
          digitized: true,
          electronicResult: true,
          occurredAt: RECEIVED + 120_000,
        },
      ],
      {
        ...base,
        rules: { ...base.rules, satisfiedAtLeast: 5 },
      },
    );
    const cells = [...totals(store).values()];
    const satisfied = cells.reduce((sum, cell) => sum + (cell.satisfied ?? 0), 0);
    expect(satisfied).toBe(0);
    // The one dossier, received and resolved on its day, rated under the old threshold only; its closure
    // counts on its due day.
    expect(cells).toHaveLength(2);
    expect(cells.filter((cell) => cell.received === 1)).toEqual([
      expect.objectContaining({ received: 1, resolved: 1, rated: 1 }),
    ]);
    expect(cells.filter((cell) => cell.closureDue === 1)).toEqual([
      expect.objectContaining({ closureDue: 1, closureInGrace: 1 }),
    ]);
    for (const cell of cells)
      for (const value of Object.values(cell)) expect(value).toBeGreaterThanOrEqual(0);
  });
});
