import { createHash } from 'node:crypto';
import type { CompactionArchivePort } from '../../shared/app/compact-archive.ts';
import type { RebuildArchivePort } from '../../shared/app/rebuild.ts';
import { type QueuedEvent, queuedEventSchema } from '../../shared/schemas/queue.ts';

const PREFIX = 'raw/dossier-events/';

/**
 * The raw archive over a map of key to lines, keyed like the S3 archive (`<unit>/<day>/<name>`), readable
 * by compaction and by rebuild. `crashBeforeRemove` makes the next `remove` throw before deleting anything,
 * as a run that dies between writing the day object and deleting its inputs; `dropOnPut` makes the next
 * `putDay` store all but its last line, as a write that does not read back whole.
 */
export class InMemoryRawArchive implements CompactionArchivePort, RebuildArchivePort {
  readonly objects = new Map<string, string[]>();
  crashBeforeRemove = false;
  dropOnPut = false;
  /** Called once after the inputs of a unit-day are listed, before they are read. */
  afterList: ((unitCode: string, day: string) => void) | undefined;
  private batches = 0;

  /** A worker batch: one object of archive lines, named by a counter as the worker names it by a hash. */
  addBatch(unitCode: string, day: string, lines: readonly string[]): string {
    const key = `${PREFIX}${unitCode}/${day}/${String(this.batches++).padStart(32, '0')}.ndjson.gz`;
    this.objects.set(key, [...lines]);
    return key;
  }

  keysOf(unitCode: string, day: string): string[] {
    return [...this.objects.keys()].filter((key) => key.startsWith(`${PREFIX}${unitCode}/${day}/`)).sort();
  }

  /** Every line of every object of the unit-day, duplicates kept. */
  linesOf(unitCode: string, day: string): string[] {
    return this.keysOf(unitCode, day).flatMap((key) => this.objects.get(key) ?? []);
  }

  async listUnits(): Promise<string[]> {
    return [...new Set([...this.objects.keys()].map((key) => key.slice(PREFIX.length).split('/')[0] ?? ''))]
      .filter(Boolean)
      .sort();
  }

  async listDay(unitCode: string, day: string): Promise<string[]> {
    const keys = this.keysOf(unitCode, day);
    this.afterList?.(unitCode, day);
    this.afterList = undefined;
    return keys;
  }

  async readLines(key: string): Promise<string[] | undefined> {
    const lines = this.objects.get(key);
    return lines && [...lines];
  }

  async putDay(unitCode: string, day: string, lines: readonly string[]): Promise<string> {
    const hash = createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32);
    const key = `${PREFIX}${unitCode}/${day}/day-${hash}.ndjson.gz`;
    this.objects.set(key, this.dropOnPut ? lines.slice(0, -1) : [...lines]);
    this.dropOnPut = false;
    return key;
  }

  isCompacted(key: string): boolean {
    return /\/day-[0-9a-f]{32}\.ndjson\.gz$/.test(key);
  }

  async remove(keys: readonly string[]): Promise<void> {
    if (this.crashBeforeRemove) {
      this.crashBeforeRemove = false;
      throw new Error('crashed before deleting the inputs');
    }
    for (const key of keys) this.objects.delete(key);
  }

  async *listUnit(unitCode: string, fromDay: string): AsyncGenerator<string> {
    for (const key of [...this.objects.keys()].sort()) {
      if (key.startsWith(`${PREFIX}${unitCode}/`) && key >= `${PREFIX}${unitCode}/${fromDay}`) yield key;
    }
  }

  async readEvents(key: string): Promise<QueuedEvent[] | undefined> {
    return this.objects
      .get(key)
      ?.map((line) => queuedEventSchema.parse((JSON.parse(line) as { event: unknown }).event));
  }
}
