import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoRebuildStore } from '../../shared/adapters/dynamo-rebuild-store.ts';
import { S3Archive } from '../../shared/adapters/s3-archive.ts';
import { OperationRefusedError } from '../../shared/app/errors.ts';
import { type RebuildOptions, rebuild } from '../../shared/app/rebuild.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { countDossierEvents } from '../../shared/domain/worker/count-dossier-events.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import { type CounterMap, expectedCounters, storedCounters } from '../../simulator/model.ts';
import { InMemoryCheckpoints } from '../fakes/rebuild.ts';
import { generateStream, pastStream, toMessages, type UnitEvent } from '../helpers/dossier-streams.ts';
import { type LocalAws, scanAll, startLocalAws } from '../helpers/local-aws.ts';

/**
 * The rebuild's fence on DynamoDB Local: a newer rebuild or a commit past an expired hold stops an older
 * swap, and a swap whose dossiers count in months outside its range is refused unless widened.
 */
const config = loadSettings({});
const vnDay = (ms: number): string => dayOf(ms, config.time.utcOffsetMinutes);
const NOW = Date.parse('2026-11-18T10:00:00+07:00');

/** A rebuild store that lets another process act between the rebuild's reads and its swap. */
class PausingRebuildStore extends DynamoRebuildStore {
  beforeSwap: (() => Promise<void>) | undefined;
  override async swap(
    ...args: Parameters<DynamoRebuildStore['swap']>
  ): ReturnType<DynamoRebuildStore['swap']> {
    const before = this.beforeSwap;
    this.beforeSwap = undefined;
    await before?.();
    return super.swap(...args);
  }
}

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
}, 90_000);
afterAll(async () => {
  await aws?.stop();
});

/** A unit of its own per test: the tables are fresh, and the archive's objects are keyed by unit. */
async function unitWith(unitCode: string, events: readonly UnitEvent[]) {
  const { names, raw, doc } = await aws.tables();
  const archive = new S3Archive(aws.bucket, aws.s3);
  const workerAt = (clock: number) =>
    new DynamoDossierStore(names.state, doc, undefined, undefined, () => clock);
  /** What a worker does with a message: archive it, then count it with its own clock. */
  const deliver = async (list: readonly UnitEvent[], clock: number): Promise<void> => {
    for (const [index, message] of toMessages(list, 100, NOW).entries()) {
      const body = JSON.stringify({ ...message, requestId: `${message.requestId}-${clock}-${index}` });
      await archive.putDossierEvents([{ message, body }]);
      const counted = await countDossierEvents(
        [{ id: `m${index}`, message }],
        workerAt(clock),
        countOptions(config),
      );
      // A message that could not be committed is retried by the queue; the test sees why.
      const [reason] = counted.reasons.values();
      if (reason) throw new Error(reason);
    }
  };
  const store = (): PausingRebuildStore =>
    new PausingRebuildStore(names.state, new DynamoDossierStore(names.state, doc), doc);
  const deps = (rebuildStore = store(), now = NOW) => ({
    archive,
    store: rebuildStore,
    checkpoints: new InMemoryCheckpoints(),
    rules: config.dossier,
    dayOf: vnDay,
    now: () => now,
  });
  const counters = async (): Promise<CounterMap> => {
    await store().settle(unitCode);
    return storedCounters(await scanAll(raw, names.state));
  };
  const corrupt = async (day: string): Promise<void> => {
    await doc.send(
      new UpdateCommand({
        TableName: names.state,
        Key: { pk: `C#${unitCode}#${day}`, sk: 'U' },
        UpdateExpression: 'ADD received :n',
        ExpressionAttributeValues: { ':n': 5 },
      }),
    );
  };
  await deliver(events, NOW);
  return { names, doc, deliver, deps, store, counters, corrupt };
}

const stream = (seed: number, unitCode: string, dossiers = 40): UnitEvent[] =>
  pastStream(generateStream(seed, { units: [unitCode], dossiers, viaApi: true }), NOW);
const monthsOfModel = (model: CounterMap): string[] =>
  [...new Set([...model.keys()].map((key) => key.split('|')[1]?.slice(0, 7) ?? ''))].sort();
const november = (unitCode: string): Omit<RebuildOptions, 'swap'> => ({
  unitCode,
  from: '2026-11-01',
  to: '2026-11-30',
  lookbackDays: 60,
  holdSeconds: 60,
});

describe('the fenced rebuild swap on DynamoDB Local', () => {
  it("refuses the older of two concurrent rebuilds' swaps and leaves the counters exact", async () => {
    const events = stream(31, 'H48');
    const model = expectedCounters(events);
    expect(monthsOfModel(model)).toEqual(['2026-11']);
    const unit = await unitWith('H48', events);
    const day = [...model.keys()].find((key) => key.includes('|U|received'))?.split('|')[1] ?? '';
    await unit.corrupt(day);
    const older = unit.store();
    let newer: Awaited<ReturnType<typeof rebuild>> | undefined;
    older.beforeSwap = async () => {
      newer = await rebuild(unit.deps(), { ...november('H48'), swap: true });
    };

    const refused = rebuild(unit.deps(older), { ...november('H48'), swap: true });

    await expect(refused).rejects.toThrow(OperationRefusedError);
    await expect(refused).rejects.toThrow(/^The hold on H48 was taken by a newer rebuild/);
    expect(newer?.differences).toContainEqual(expect.objectContaining({ period: day, counter: 'received' }));
    expect(await unit.counters()).toEqual(model);
    // Nothing is left holding the unit: a commit goes through.
    const later = stream(32, 'H48', 3).map((e) => ({
      ...e,
      dossierCode: `L${e.dossierCode}`,
      eventId: `L${e.eventId}`,
    }));
    await unit.deliver(later, NOW);
    expect(await unit.counters()).toEqual(expectedCounters([...events, ...later]));
  }, 120_000);

  it('refuses a swap once a commit has ended its expired hold; a commit at the last held moment waits', async () => {
    const events = stream(33, 'G12');
    const unit = await unitWith('G12', events);
    const until = NOW + november('G12').holdSeconds * 1000;
    const extra = (prefix: string) =>
      stream(34, 'G12', 2).map((e) => ({
        ...e,
        dossierCode: `${prefix}${e.dossierCode}`,
        eventId: `${prefix}${e.eventId}`,
      }));
    const waiting = extra('W');
    const past = extra('P');

    const held = unit.store();
    held.beforeSwap = async () => {
      await expect(unit.deliver(waiting, until)).rejects.toThrow(/is held by a rebuild/);
    };
    await unit.corrupt(vnDay(NOW - 86_400_000));
    const swapped = await rebuild(unit.deps(held), { ...november('G12'), swap: true });
    expect(swapped.swapped).toBe(true);
    expect(await unit.counters()).toEqual(expectedCounters(events));

    const expired = unit.store();
    expired.beforeSwap = async () => {
      await unit.deliver(past, until + 1);
    };
    await unit.corrupt(vnDay(NOW - 86_400_000));
    await expect(rebuild(unit.deps(expired), { ...november('G12'), swap: true })).rejects.toThrow(
      /ended by a dossier commit after it expired/,
    );
    await unit.deliver(waiting, NOW);
    expect(await rebuild(unit.deps(), { ...november('G12'), swap: true })).toMatchObject({ swapped: true });
    expect(await unit.counters()).toEqual(expectedCounters([...events, ...past, ...waiting]));
  }, 120_000);

  it('refuses a swap whose dossiers count in another month, and with widen rebuilds that month too', async () => {
    const base = {
      unitCode: 'H05',
      dossierCode: 'OCT-1',
      procedureCode: '1.001234',
      agencyCode: `000.00.10.H05`,
      channel: 2 as const,
    };
    const receivedAt = Date.parse('2026-10-31T20:00:00+07:00');
    const october: UnitEvent[] = [
      { ...base, eventId: 'OCT-1-2', status: 2, occurredAt: receivedAt, receivedAt },
      {
        ...base,
        eventId: 'OCT-1-10',
        status: 10,
        occurredAt: Date.parse('2026-11-02T09:00:00+07:00'),
        receivedAt,
      },
    ];
    const events = [...stream(35, 'H05'), ...october];
    const model = expectedCounters(events);
    const unit = await unitWith('H05', events);
    await unit.doc.send(
      new DeleteCommand({ TableName: unit.names.state, Key: { pk: `D#H05#OCT-1`, sk: '-' } }),
    );
    await unit.corrupt('2026-10-31');
    const corrupted = await unit.counters();

    await expect(rebuild(unit.deps(), { ...november('H05'), swap: true })).rejects.toThrow(
      '1 dossier(s) of H05 to replace also count in 2026-10, outside 2026-11…2026-11; nothing was swapped.',
    );
    expect(await unit.counters()).toEqual(corrupted);

    const widened = await rebuild(unit.deps(), { ...november('H05'), swap: true, widen: true });
    expect(widened).toMatchObject({
      months: ['2026-10', '2026-11'],
      widenedFrom: { from: '2026-11-01', to: '2026-11-30' },
      swapped: true,
    });
    expect(await unit.counters()).toEqual(model);
    expect(await rebuild(unit.deps(), { ...november('H05'), swap: true })).toMatchObject({
      dossierStatesToReplace: 0,
      monthsOutsideRange: [],
    });
  }, 120_000);
});
