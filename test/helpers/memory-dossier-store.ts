import type { UnitDelta } from '../../shared/domain/dossier/delta.ts';
import {
  type CommitOutcome,
  type DossierChange,
  type DossierKey,
  type DossierStorePort,
  dossierId,
  type StoredDossier,
} from '../../shared/domain/worker/count-dossier-events.ts';
import type { SetAsideEvent, SetAsidePort } from '../../shared/domain/worker/dossier-batch.ts';

/** DossierStorePort in memory: versioned dossier states and the deltas committed with them. */
export class MemoryDossierStore implements DossierStorePort {
  readonly dossiers = new Map<string, StoredDossier>();
  readonly deltas: UnitDelta[] = [];
  /** Every feed refresh, as (unit, time). */
  readonly feedTouches: [string, number][] = [];

  async load(keys: readonly DossierKey[]): Promise<Map<string, StoredDossier>> {
    const found = new Map<string, StoredDossier>();
    for (const key of keys) {
      const stored = this.dossiers.get(dossierId(key));
      if (stored) found.set(dossierId(key), stored);
    }
    return found;
  }

  async commit(_unit: string, changes: readonly DossierChange[], delta: UnitDelta): Promise<CommitOutcome> {
    const stale = changes.filter(
      (change) => (this.dossiers.get(dossierId(change.key))?.version ?? 0) !== change.expectedVersion,
    );
    if (stale.length > 0) return { ok: false, stale: stale.map((change) => change.key) };
    for (const change of changes)
      this.dossiers.set(dossierId(change.key), {
        state: change.state,
        version: change.expectedVersion + 1,
        contribution: change.contribution,
      });
    this.deltas.push(delta);
    return { ok: true };
  }

  async fold(): Promise<void> {}
  async touchFeed(unitCode: string, receivedAt: number): Promise<void> {
    this.feedTouches.push([unitCode, receivedAt]);
  }
}

/** SetAsidePort in memory. */
export class MemorySetAside implements SetAsidePort {
  readonly events: SetAsideEvent[] = [];
  async setAside(_feed: 'dossier-events', events: readonly SetAsideEvent[]): Promise<void> {
    this.events.push(...events);
  }
}
