import { describe, expect, it } from 'vitest';
import { CompactionVerifyError, closedDays, compactArchive } from '../../../shared/app/compact-archive.ts';
import { OperationRefusedError } from '../../../shared/app/errors.ts';
import { rebuild } from '../../../shared/app/rebuild.ts';
import { loadSettings } from '../../../shared/config/settings.ts';
import { dayOf } from '../../../shared/domain/time.ts';
import type { QueuedEvent } from '../../../shared/schemas/queue.ts';
import { InMemoryRawArchive } from '../../fakes/archive.ts';
import { InMemoryCheckpoints, InMemoryRebuildStore } from '../../fakes/rebuild.ts';

/** 23:59:59.999 on 31 December 2026 in Hà Nội; one millisecond later it is 1 January 2027 there. */
const LAST_MS_OF_2026 = Date.parse('2026-12-31T16:59:59.999Z');
/** 23:59:59.999 on 30 November 2026 in Hà Nội. */
const LAST_MS_OF_NOVEMBER = Date.parse('2026-11-30T16:59:59.999Z');

/** One archive line as the worker writes it: the event with its unit and acceptance time. */
function line(unitCode: string, n: number, acceptedAt = LAST_MS_OF_NOVEMBER): string {
  const event: QueuedEvent = {
    eventId: `${unitCode}-e${n}`,
    dossierCode: `${unitCode}-D${n}`,
    procedureCode: '1.001234',
    agencyCode: `000.00.10.${unitCode}`,
    status: 2,
    occurredAt: acceptedAt - 60_000,
    receivedAt: acceptedAt - 60_000,
    channel: 1,
  };
  return JSON.stringify({ unitCode, acceptedAt, event });
}
const lines = (unitCode: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, index) => line(unitCode, from + index));
const distinctSorted = (list: readonly string[]): string[] => [...new Set(list)].sort();

/** A run on 1 December 2026, 01:00 in Hà Nội: 30 November is the day before. */
const DECEMBER_FIRST = Date.parse('2026-11-30T18:00:00Z');

describe('the closed days a compaction run covers', () => {
  it('is yesterday in Vietnam up to the last millisecond of a year, and the new year’s eve one millisecond later', () => {
    expect(closedDays(LAST_MS_OF_2026, 0)).toEqual(['2026-12-30']);
    expect(closedDays(LAST_MS_OF_2026 + 1, 0)).toEqual(['2026-12-31']);
  });

  it('reaches back across a month end for late batches', () => {
    expect(closedDays(LAST_MS_OF_NOVEMBER + 1, 2)).toEqual(['2026-11-28', '2026-11-29', '2026-11-30']);
    expect(closedDays(Date.parse('2027-01-01T17:00:00Z'), 1)).toEqual(['2026-12-31', '2027-01-01']);
  });
});

describe('compacting the raw archive', () => {
  it('merges a unit’s batches of a closed day into one object, dropping exact duplicates only', async () => {
    const archive = new InMemoryRawArchive();
    const inputs = [
      archive.addBatch('H31', '2026-11-30', lines('H31', 1, 5)),
      // A redelivered batch: the same lines again.
      archive.addBatch('H31', '2026-11-30', lines('H31', 1, 5)),
      archive.addBatch('H31', '2026-11-30', lines('H31', 6, 9)),
    ];
    archive.addBatch('H48', '2026-11-30', lines('H48', 1, 2));
    const before = archive.linesOf('H31', '2026-11-30');

    const report = await compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 });

    const [key, ...others] = archive.keysOf('H31', '2026-11-30');
    expect(others).toEqual([]);
    expect(key).toMatch(/^raw\/dossier-events\/H31\/2026-11-30\/day-[0-9a-f]{32}\.ndjson\.gz$/);
    expect(archive.linesOf('H31', '2026-11-30')).toEqual(distinctSorted(before));
    expect(archive.linesOf('H31', '2026-11-30')).toHaveLength(9);
    for (const input of inputs) expect(archive.objects.has(input)).toBe(false);
    expect(archive.keysOf('H48', '2026-11-30')).toHaveLength(1);
    expect(report.days).toEqual(['2026-11-30']);
    expect(report.unitDays.find((day) => day.unitCode === 'H31')).toMatchObject({
      inputs: 3,
      linesRead: 14,
      linesWritten: 9,
      removed: 3,
    });
  });

  it('keeps lines that differ only in their acceptance time: they are not duplicates', async () => {
    const archive = new InMemoryRawArchive();
    archive.addBatch('H31', '2026-11-30', [line('H31', 1, LAST_MS_OF_NOVEMBER)]);
    archive.addBatch('H31', '2026-11-30', [line('H31', 1, LAST_MS_OF_NOVEMBER - 1)]);

    await compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 });

    expect(archive.linesOf('H31', '2026-11-30')).toHaveLength(2);
  });

  it('changes nothing when run again', async () => {
    const archive = new InMemoryRawArchive();
    archive.addBatch('H31', '2026-11-30', lines('H31', 1, 5));
    archive.addBatch('H31', '2026-11-30', lines('H31', 4, 8));
    await compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 });
    const after = new Map(archive.objects);

    const again = await compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 });

    expect(archive.objects).toEqual(after);
    expect(again.unitDays).toEqual([
      {
        unitCode: 'H31',
        day: '2026-11-30',
        inputs: 1,
        linesRead: 0,
        linesWritten: 0,
        written: undefined,
        removed: 0,
      },
    ]);
  });

  it('after a crash between writing the day object and deleting its inputs, the next run ends where one run would', async () => {
    const crashed = new InMemoryRawArchive();
    const clean = new InMemoryRawArchive();
    for (const archive of [crashed, clean]) {
      archive.addBatch('H31', '2026-11-30', lines('H31', 1, 5));
      archive.addBatch('H31', '2026-11-30', lines('H31', 3, 7));
    }
    crashed.crashBeforeRemove = true;

    await expect(compactArchive(crashed, DECEMBER_FIRST, { lookbackDays: 0 })).rejects.toThrow(
      'crashed before deleting',
    );
    expect(crashed.keysOf('H31', '2026-11-30')).toHaveLength(3);
    await compactArchive(crashed, DECEMBER_FIRST, { lookbackDays: 0 });
    await compactArchive(clean, DECEMBER_FIRST, { lookbackDays: 0 });

    expect(crashed.objects).toEqual(clean.objects);
    expect(crashed.linesOf('H31', '2026-11-30')).toEqual(lines('H31', 1, 7).sort());
  });

  it('merges a batch that arrives after its day was compacted, within the lookback', async () => {
    const archive = new InMemoryRawArchive();
    archive.addBatch('H31', '2026-11-30', lines('H31', 1, 5));
    await compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 });
    const [first] = archive.keysOf('H31', '2026-11-30');
    // A DLQ redrive two days later: one line already archived, two new.
    archive.addBatch('H31', '2026-11-30', lines('H31', 5, 7));

    const report = await compactArchive(archive, DECEMBER_FIRST + 2 * 86_400_000, { lookbackDays: 2 });

    const [key, ...others] = archive.keysOf('H31', '2026-11-30');
    expect(others).toEqual([]);
    expect(key).not.toBe(first);
    expect(archive.linesOf('H31', '2026-11-30')).toEqual(lines('H31', 1, 7).sort());
    expect(report.days).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
  });

  it('never compacts today: the last millisecond of a year leaves 31 December alone, the next one compacts it', async () => {
    const archive = new InMemoryRawArchive();
    archive.addBatch('H31', '2026-12-31', lines('H31', 1, 2));
    archive.addBatch('H31', '2026-12-31', lines('H31', 3, 4));

    await compactArchive(archive, LAST_MS_OF_2026, { lookbackDays: 3 });
    expect(archive.keysOf('H31', '2026-12-31').filter((key) => archive.isCompacted(key))).toEqual([]);
    expect(archive.keysOf('H31', '2026-12-31')).toHaveLength(2);

    await compactArchive(archive, LAST_MS_OF_2026 + 1, { lookbackDays: 0 });
    const [key, ...others] = archive.keysOf('H31', '2026-12-31');
    expect(others).toEqual([]);
    expect(archive.isCompacted(key ?? '')).toBe(true);
  });

  it('compacts the one day an operator names, and refuses a day not yet closed in Vietnam', async () => {
    const archive = new InMemoryRawArchive();
    archive.addBatch('H31', '2026-11-02', lines('H31', 1, 2));
    archive.addBatch('H31', '2026-11-02', lines('H31', 3, 4));
    archive.addBatch('H31', '2026-11-29', lines('H31', 5, 6));
    archive.addBatch('H31', '2026-11-29', lines('H31', 7, 8));

    const report = await compactArchive(archive, DECEMBER_FIRST, { day: '2026-11-02', lookbackDays: 0 });

    expect(report.days).toEqual(['2026-11-02']);
    expect(archive.keysOf('H31', '2026-11-02')).toHaveLength(1);
    expect(archive.keysOf('H31', '2026-11-29')).toHaveLength(2);
    await expect(
      compactArchive(archive, LAST_MS_OF_NOVEMBER, { day: '2026-11-30', lookbackDays: 0 }),
    ).rejects.toThrow(OperationRefusedError);
    await expect(
      compactArchive(archive, LAST_MS_OF_NOVEMBER + 1, { day: '2026-11-30', lookbackDays: 0 }),
    ).resolves.toMatchObject({ days: ['2026-11-30'] });
  });

  it('keeps every input when the day object does not read back whole', async () => {
    const archive = new InMemoryRawArchive();
    const inputs = [
      archive.addBatch('H31', '2026-11-30', lines('H31', 1, 3)),
      archive.addBatch('H31', '2026-11-30', lines('H31', 4, 6)),
    ];
    archive.dropOnPut = true;

    await expect(compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 })).rejects.toThrow(
      CompactionVerifyError,
    );

    for (const input of inputs) expect(archive.objects.has(input)).toBe(true);
    await compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 });
    expect(archive.linesOf('H31', '2026-11-30')).toEqual(lines('H31', 1, 6).sort());
  });

  it('deletes only what it read: an input gone between listing and reading is left to its other run', async () => {
    const archive = new InMemoryRawArchive();
    const gone = archive.addBatch('H31', '2026-11-30', lines('H31', 1, 3));
    archive.addBatch('H31', '2026-11-30', lines('H31', 4, 6));
    // Another run compacted the first batch meanwhile: its day object holds it.
    archive.afterList = () => {
      const held = archive.objects.get(gone) ?? [];
      archive.objects.delete(gone);
      archive.objects.set(
        'raw/dossier-events/H31/2026-11-30/day-ffffffffffffffffffffffffffffffff.ndjson.gz',
        held,
      );
    };

    const report = await compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 });
    expect(report.unitDays[0]).toMatchObject({ inputs: 2, removed: 1, linesWritten: 3 });
    expect(archive.keysOf('H31', '2026-11-30')).toHaveLength(2);
    await compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 });
    expect(archive.linesOf('H31', '2026-11-30')).toEqual(lines('H31', 1, 6).sort());
  });
});

describe('a rebuild over a compacting archive', () => {
  const config = loadSettings({});
  const deps = (archive: InMemoryRawArchive) => ({
    archive,
    store: new InMemoryRebuildStore(),
    checkpoints: new InMemoryCheckpoints(),
    rules: config.dossier,
    dayOf: (ms: number) => dayOf(ms, config.time.utcOffsetMinutes),
    now: () => DECEMBER_FIRST,
  });
  const options = {
    unitCode: 'H31',
    from: '2026-11-01',
    to: '2026-11-30',
    swap: false,
    lookbackDays: 0,
    holdSeconds: 60,
  };

  it('finds the same dossiers before and after compaction, and when objects vanish while it reads', async () => {
    const archive = new InMemoryRawArchive();
    for (let n = 1; n <= 30; n += 3) archive.addBatch('H31', '2026-11-30', lines('H31', n, n + 3));
    const before = await rebuild(deps(archive), options);
    expect(before.dossiers).toBe(31);

    const racing = deps(archive);
    let listed = 0;
    const list = archive.listUnit.bind(archive);
    // Compaction runs after the rebuild's first listing and before it reads what it listed.
    racing.archive.listUnit = async function* (unitCode: string, fromDay: string) {
      const keys: string[] = [];
      for await (const key of list(unitCode, fromDay)) keys.push(key);
      if (listed++ === 0) await compactArchive(archive, DECEMBER_FIRST, { lookbackDays: 0 });
      yield* keys;
    };
    const during = await rebuild(racing, options);
    const after = await rebuild(deps(archive), options);

    expect(during.dossiers).toBe(31);
    expect(after.dossiers).toBe(31);
    expect(after.archiveObjects).toBe(1);
  });
});
