import type {
  RebuildArchivePort,
  RebuildCheckpoint,
  RebuildCheckpointPort,
  RebuildStorePort,
  StateChange,
  SwapOutcome,
} from '../../shared/app/rebuild.ts';
import type { CounterRow, RebuiltCounters } from '../../shared/domain/operations/rebuild.ts';
import type { StoredDossier } from '../../shared/domain/worker/count-dossier-events.ts';
import type { QueuedEvent } from '../../shared/schemas/queue.ts';

/** The raw archive over a map: one object per `add`, listed by the day it was archived. */
export class InMemoryArchive implements RebuildArchivePort {
  private readonly objects = new Map<string, QueuedEvent[]>();

  add(unitCode: string, day: string, events: QueuedEvent[]): this {
    this.objects.set(`${unitCode}/${day}/${String(this.objects.size).padStart(6, '0')}`, events);
    return this;
  }

  async *listUnit(unitCode: string, fromDay: string): AsyncGenerator<string> {
    for (const key of [...this.objects.keys()].sort()) {
      const [unit, day = ''] = key.split('/');
      if (unit === unitCode && day >= fromDay) yield key;
    }
  }

  async readEvents(key: string): Promise<QueuedEvent[] | undefined> {
    return this.objects.get(key);
  }
}

/** Checkpoints in a map, saved as copies. */
export class InMemoryCheckpoints implements RebuildCheckpointPort {
  readonly saved = new Map<string, RebuildCheckpoint>();

  async load(name: string): Promise<RebuildCheckpoint | undefined> {
    return this.saved.get(name);
  }

  async save(name: string, checkpoint: RebuildCheckpoint): Promise<void> {
    this.saved.set(name, structuredClone(checkpoint));
  }

  async remove(name: string): Promise<void> {
    this.saved.delete(name);
  }
}

/**
 * One unit's live counters, dossier states and rebuild hold. The hold follows the state table's rules: each
 * hold takes the next token, a release ends only its own hold, a commit ends a hold that has expired by its
 * clock, and a swap writes nothing unless its token still holds.
 */
export class InMemoryRebuildStore implements RebuildStorePort {
  readonly live: RebuiltCounters = { rows: new Map(), services: new Map() };
  readonly states = new Map<string, StoredDossier>();
  readonly fence: { token: number; until?: number } = { token: 0 };
  /** Runs after the rebuild has read everything and before its swap, as another process would. */
  beforeSwap: (() => Promise<void>) | undefined;

  setRow(row: CounterRow): this {
    this.live.rows.set(`${row.period}|${row.agencyCode ?? ''}`, row);
    return this;
  }

  async hold(_unitCode: string, until: number): Promise<number> {
    this.fence.token++;
    this.fence.until = until;
    return this.fence.token;
  }

  async release(_unitCode: string, token: number): Promise<void> {
    if (this.fence.token === token) delete this.fence.until;
  }

  /** A worker's commit at `now`: refused while a hold stands, and ending one that has expired. */
  commit(now: number): boolean {
    if (this.fence.until !== undefined && !(this.fence.until < now)) return false;
    delete this.fence.until;
    return true;
  }

  async settle(): Promise<void> {}

  async readLive(_unitCode: string, months: readonly string[]): Promise<RebuiltCounters> {
    const wanted = new Set(months);
    const rows = new Map([...this.live.rows].filter(([, row]) => wanted.has(row.period.slice(0, 7))));
    const services = new Map<string, Record<string, number>>();
    for (const [id, cells] of this.live.services) {
      const year = id.split('|')[0];
      const kept = Object.fromEntries(Object.entries(cells).filter(([mm]) => wanted.has(`${year}-${mm}`)));
      if (Object.keys(kept).length > 0) services.set(id, kept);
    }
    return { rows, services };
  }

  async loadStates(unitCode: string, dossierCodes: readonly string[]): Promise<Map<string, StoredDossier>> {
    return new Map(
      dossierCodes.flatMap((code) => {
        const stored = this.states.get(`${unitCode}#${code}`);
        return stored ? [[`${unitCode}#${code}`, stored] as const] : [];
      }),
    );
  }

  async swap(
    unitCode: string,
    token: number,
    changes: { live: RebuiltCounters; rebuilt: RebuiltCounters; states: readonly StateChange[] },
  ): Promise<SwapOutcome> {
    await this.beforeSwap?.();
    if (this.fence.token !== token || this.fence.until === undefined)
      return { itemsWritten: 0, holdLost: true };
    let itemsWritten = 0;
    for (const id of new Set([...changes.live.rows.keys(), ...changes.rebuilt.rows.keys()])) {
      const after = changes.rebuilt.rows.get(id);
      if (after) this.live.rows.set(id, after);
      else this.live.rows.delete(id);
      itemsWritten++;
    }
    for (const [id, cells] of changes.rebuilt.services) {
      this.live.services.set(id, { ...this.live.services.get(id), ...cells });
      itemsWritten++;
    }
    for (const change of changes.states) {
      const key = `${unitCode}#${change.dossierCode}`;
      if ((this.states.get(key)?.version ?? 0) !== change.expectedVersion)
        throw new Error(`dossier ${change.dossierCode} moved`);
      this.states.set(key, {
        state: change.state,
        version: change.expectedVersion + 1,
        contribution: change.contribution,
      });
      itemsWritten++;
    }
    return { itemsWritten, holdLost: false };
  }
}
