import { mapLimit } from '../domain/evaluation/map-limit.ts';
import { addDays, dayOf } from '../domain/time.ts';
import { OperationRefusedError } from './errors.ts';

/** Vietnam's offset: archive days are acceptance days in UTC+7. */
export const VIETNAM_OFFSET_MINUTES = 7 * 60;

/**
 * The raw archive as compaction sees it (`shared/adapters/s3-archive.ts`). Lines are archive lines exactly as
 * stored (one event with its unit and acceptance time), so a duplicate is a line equal to another.
 */
export interface CompactionArchivePort {
  /** Units with any object in the archive. */
  listUnits(): Promise<string[]>;
  /** Every object of one unit and acceptance day: worker batches and earlier compacted objects alike. */
  listDay(unitCode: string, day: string): Promise<string[]>;
  /** The object's lines; `undefined` when it is gone (another run compacted it meanwhile). */
  readLines(key: string): Promise<string[] | undefined>;
  /** Writes the day's lines as one object, under a key made from its content; returns the key. */
  putDay(unitCode: string, day: string, lines: readonly string[]): Promise<string>;
  /** Whether `key` names a compacted day object rather than a worker batch. */
  isCompacted(key: string): boolean;
  remove(keys: readonly string[]): Promise<void>;
}

/** Objects of one unit-day read at once: a busy unit's day holds thousands of small batches. */
const READS_AT_ONCE = 16;

/** The written day object does not read back with every input line: its inputs are kept. */
export class CompactionVerifyError extends Error {
  override readonly name = 'CompactionVerifyError';
}

export interface UnitDayCompaction {
  unitCode: string;
  day: string;
  /** Objects read (batches and earlier day objects). */
  inputs: number;
  /** Lines in the inputs, and distinct lines written. */
  linesRead: number;
  linesWritten: number;
  /** The day object, or `undefined` when the day was already one object. */
  written: string | undefined;
  removed: number;
}

export interface CompactionReport {
  days: string[];
  unitDays: UnitDayCompaction[];
}

export interface CompactionOptions {
  /** Compact this day only (an operator's choice); without it, the closed days of the lookback. */
  day?: string;
  /** Closed days before yesterday that are compacted again, for late batches (redelivery, DLQ redrive). */
  lookbackDays: number;
  /** Unit-days compacted at once. */
  concurrency?: number;
}

/** The closed Vietnam days a run compacts: yesterday in UTC+7 and the `lookbackDays` before it, oldest first. */
export function closedDays(now: number, lookbackDays: number): string[] {
  const yesterday = addDays(dayOf(now, VIETNAM_OFFSET_MINUTES), -1);
  return Array.from({ length: lookbackDays + 1 }, (_, index) => addDays(yesterday, index - lookbackDays));
}

/**
 * One unit-day into one object: every line of its objects, exact duplicates dropped, in a fixed order, written
 * under a key made from that content, read back and checked, and only then the inputs deleted. A crash between
 * the write and the deletes leaves the inputs and the day object, whose lines the next run merges into the
 * same key; a batch archived after compaction (a redelivery, a DLQ redrive) is merged into a new day object
 * the same way. No input is deleted before its every line has been read back from the day object.
 */
export async function compactUnitDay(
  archive: CompactionArchivePort,
  unitCode: string,
  day: string,
): Promise<UnitDayCompaction> {
  const keys = await archive.listDay(unitCode, day);
  const report: UnitDayCompaction = {
    unitCode,
    day,
    inputs: keys.length,
    linesRead: 0,
    linesWritten: 0,
    written: undefined,
    removed: 0,
  };
  const [only] = keys;
  if (keys.length === 0 || (keys.length === 1 && only !== undefined && archive.isCompacted(only))) {
    return report;
  }
  const lines = new Set<string>();
  const read: string[] = [];
  await mapLimit(keys, READS_AT_ONCE, async (key) => {
    const content = await archive.readLines(key);
    if (content === undefined) return;
    read.push(key);
    report.linesRead += content.length;
    for (const line of content) lines.add(line);
  });
  if (lines.size === 0) return report;
  const ordered = [...lines].sort();
  const written = await archive.putDay(unitCode, day, ordered);
  const back = new Set((await archive.readLines(written)) ?? []);
  const missing = ordered.filter((line) => !back.has(line)).length;
  if (missing > 0) {
    throw new CompactionVerifyError(
      `${written} reads back without ${missing} of its ${ordered.length} lines; its inputs are kept`,
    );
  }
  const obsolete = read.filter((key) => key !== written);
  await archive.remove(obsolete);
  return { ...report, linesWritten: ordered.length, written, removed: obsolete.length };
}

/**
 * Compacts the raw archive's closed days: each unit's objects of one Vietnam acceptance day become one
 * object, so that busy units' day objects reach the size S3 moves to Infrequent Access and Glacier. Safe to
 * run again at any time, and run after a crash: see `compactUnitDay`. Today is never compacted, since the
 * worker still archives into it.
 */
export async function compactArchive(
  archive: CompactionArchivePort,
  now: number,
  options: CompactionOptions,
): Promise<CompactionReport> {
  const today = dayOf(now, VIETNAM_OFFSET_MINUTES);
  if (options.day !== undefined && options.day >= today) {
    throw new OperationRefusedError(
      `day ${options.day} is not closed yet: the last closed day is ${addDays(today, -1)}`,
    );
  }
  const days = options.day === undefined ? closedDays(now, options.lookbackDays) : [options.day];
  const units = await archive.listUnits();
  const work = days.flatMap((day) => units.map((unitCode) => ({ unitCode, day })));
  const unitDays: UnitDayCompaction[] = [];
  await mapLimit(work, options.concurrency ?? 4, async ({ unitCode, day }) => {
    unitDays.push(await compactUnitDay(archive, unitCode, day));
  });
  unitDays.sort((a, b) => a.day.localeCompare(b.day) || a.unitCode.localeCompare(b.unitCode));
  return { days, unitDays };
}
