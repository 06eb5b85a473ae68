import { describe, expect, it } from 'vitest';
import { OperationRefusedError } from '../../../shared/app/errors.ts';
import { type RebuildDeps, type RebuildOptions, rebuild } from '../../../shared/app/rebuild.ts';
import { loadSettings } from '../../../shared/config/settings.ts';
import { dayOf } from '../../../shared/domain/time.ts';
import type { QueuedEvent } from '../../../shared/schemas/queue.ts';
import { InMemoryArchive, InMemoryCheckpoints, InMemoryRebuildStore } from '../../fakes/rebuild.ts';

const config = loadSettings({});
const vnDay = (ms: number): string => dayOf(ms, config.time.utcOffsetMinutes);
const AGENCY = '000.00.10.H48';
const NOW = Date.parse('2027-01-15T03:00:00Z');

/** A Vietnam wall-clock time, `+07:00`. */
const vn = (local: string): number => Date.parse(`${local}+07:00`);

/** A dossier received at `receivedAt` and, if `resolvedAt` is given, resolved then. */
function dossier(code: string, receivedAt: number, resolvedAt?: number): QueuedEvent[] {
  const base = { dossierCode: code, procedureCode: '1.001234', agencyCode: AGENCY, channel: 1 as const };
  const events: QueuedEvent[] = [
    { ...base, eventId: `${code}-2`, status: 2, occurredAt: receivedAt, receivedAt },
  ];
  if (resolvedAt !== undefined)
    events.push({ ...base, eventId: `${code}-10`, status: 10, occurredAt: resolvedAt, receivedAt });
  return events;
}

function setup(...events: QueuedEvent[][]): {
  deps: RebuildDeps;
  store: InMemoryRebuildStore;
  checkpoints: InMemoryCheckpoints;
} {
  const archive = new InMemoryArchive();
  for (const list of events) archive.add('H48', '2026-11-20', list);
  const store = new InMemoryRebuildStore();
  const checkpoints = new InMemoryCheckpoints();
  const deps = { archive, store, checkpoints, rules: config.dossier, dayOf: vnDay, now: () => NOW };
  return { deps, store, checkpoints };
}

const november: RebuildOptions = {
  unitCode: 'H48',
  from: '2026-11-01',
  to: '2026-11-30',
  swap: true,
  lookbackDays: 30,
  holdSeconds: 60,
};

/** The live `received` of H48's unit total on a day. */
const receivedOn = (store: InMemoryRebuildStore, day: string): number | undefined =>
  store.live.rows.get(`${day}|`)?.values.received;

describe('the rebuild use case', () => {
  it('compares without writing, and releases the hold', async () => {
    const { deps, store } = setup(dossier('D1', vn('2026-11-10T09:00')));

    const report = await rebuild(deps, { ...november, swap: false });

    expect(report.differences).toContainEqual(
      expect.objectContaining({
        period: '2026-11-10',
        agencyCode: null,
        counter: 'received',
        live: 0,
        rebuilt: 1,
      }),
    );
    expect(report).toMatchObject({ swapped: false, itemsWritten: 0, dossierStatesToReplace: 1 });
    expect(store.live.rows.size).toBe(0);
    expect(store.fence).toEqual({ token: 1 });
  });

  it('swaps what differs, forgets its checkpoint, and finds nothing the second time', async () => {
    const { deps, store, checkpoints } = setup(dossier('D1', vn('2026-11-10T09:00')));
    store.setRow({ period: '2026-11-10', agencyCode: undefined, values: { received: 4 } });

    const swapped = await rebuild(deps, november);
    const again = await rebuild(deps, november);

    expect(swapped.swapped).toBe(true);
    expect(receivedOn(store, '2026-11-10')).toBe(1);
    expect(checkpoints.saved.size).toBe(0);
    expect(again).toMatchObject({ differences: [], dossierStatesToReplace: 0, itemsWritten: 0 });
  });

  it("refuses an older rebuild's swap once a newer one holds the unit, and the newer one's figures stand", async () => {
    const { deps, store } = setup(dossier('D1', vn('2026-11-10T09:00')));
    store.setRow({ period: '2026-11-10', agencyCode: undefined, values: { received: 4 } });
    const newer = setup(dossier('D1', vn('2026-11-10T09:00')));
    let newerReport: Awaited<ReturnType<typeof rebuild>> | undefined;
    store.beforeSwap = async () => {
      store.beforeSwap = undefined;
      newerReport = await rebuild({ ...newer.deps, store }, november);
    };

    await expect(rebuild(deps, november)).rejects.toThrow(
      /^The hold on H48 was taken by a newer rebuild, or ended by a dossier commit after it expired/,
    );
    expect(newerReport?.swapped).toBe(true);
    expect(receivedOn(store, '2026-11-10')).toBe(1);
    expect(store.fence).toEqual({ token: 2 });
  });

  it('is refused once a commit has ended its expired hold, and swaps when the commit came at its last moment', async () => {
    const until = NOW + november.holdSeconds * 1000;
    const late = setup(dossier('D1', vn('2026-11-10T09:00')));
    late.store.beforeSwap = async () => {
      expect(late.store.commit(until + 1)).toBe(true);
    };
    const onTime = setup(dossier('D1', vn('2026-11-10T09:00')));
    onTime.store.beforeSwap = async () => {
      expect(onTime.store.commit(until)).toBe(false);
    };

    await expect(rebuild(late.deps, november)).rejects.toBeInstanceOf(OperationRefusedError);
    expect(receivedOn(late.store, '2026-11-10')).toBeUndefined();
    expect((await rebuild(onTime.deps, november)).swapped).toBe(true);
    expect(receivedOn(onTime.store, '2026-11-10')).toBe(1);
  });

  it('refuses a swap whose dossiers also count in another month, naming it, and swaps one step inside', async () => {
    const outside = setup(dossier('D1', vn('2026-11-30T10:00'), vn('2026-12-01T00:00')));
    const inside = setup(dossier('D1', vn('2026-11-30T10:00'), vn('2026-11-30T23:59')));

    await expect(rebuild(outside.deps, november)).rejects.toThrow(
      '1 dossier(s) of H48 to replace also count in 2026-12, outside 2026-11…2026-11; nothing was swapped.',
    );
    expect(outside.store.live.rows.size).toBe(0);
    expect(outside.store.fence).toEqual({ token: 1 });
    const swapped = await rebuild(inside.deps, november);
    expect(swapped).toMatchObject({ swapped: true, monthsOutsideRange: [], statesTouchingOtherMonths: 0 });
  });

  it('names a month the stored state counted in, though the archive no longer puts the dossier there', async () => {
    const { deps, store } = setup(dossier('D1', vn('2026-11-10T09:00')));
    store.states.set('H48#D1', {
      state: {},
      version: 3,
      contribution: { cells: [{ agencyCode: AGENCY, day: '2026-10-31', values: { received: 1 } }] },
    });

    const compared = await rebuild(deps, { ...november, swap: false });

    expect(compared).toMatchObject({ monthsOutsideRange: ['2026-10'], statesTouchingOtherMonths: 1 });
    await expect(rebuild(deps, november)).rejects.toThrow(/also count in 2026-10, outside/);
  });

  it('with widen, rebuilds over every month the dossiers count in and says which range was asked', async () => {
    const { deps, store, checkpoints } = setup(dossier('D1', vn('2026-11-30T10:00'), vn('2026-12-01T00:00')));

    const report = await rebuild(deps, { ...november, widen: true });

    expect(checkpoints.saved.size).toBe(0);
    expect(report).toMatchObject({
      months: ['2026-11', '2026-12'],
      widenedFrom: { from: '2026-11-01', to: '2026-11-30' },
      monthsOutsideRange: [],
      swapped: true,
    });
    expect(receivedOn(store, '2026-11-30')).toBe(1);
    expect(store.live.rows.get('2026-12-01|')?.values.resolved).toBe(1);
    expect(store.fence).toEqual({ token: 2 });
  });
});
