import type { Clock, UnitDirectoryPort, UnitProfile } from '../domain/ports.ts';
import type { DynamoRegistry } from './dynamo-registry.ts';

interface Entry {
  profile: UnitProfile | undefined;
  until: number;
}

/** A failed read is retried after this long, not on every request of a unit. */
const FAILED_READ_RETRY_MS = 30_000;

/**
 * The registry as ingest reads it: one GetItem per unit per `maxAgeSeconds` per function instance. The
 * registry changes by operator action, a few times a year per unit, and only warnings depend on it, so a
 * copy a few minutes old is enough; storing systems and agencies in key records instead would mean
 * rewriting every key of a unit whenever an agency is added.
 */
export class CachedUnitDirectory implements UnitDirectoryPort {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly registry: Pick<DynamoRegistry, 'getUnit'>,
    private readonly maxAgeSeconds: number,
    private readonly clock: Clock = Date.now,
  ) {}

  async profile(unitCode: string): Promise<UnitProfile | undefined> {
    const now = this.clock();
    const cached = this.entries.get(unitCode);
    if (cached && cached.until > now) return cached.profile;
    let entry: Entry;
    try {
      const unit = await this.registry.getUnit(unitCode);
      const profile = unit && {
        systems: unit.systems,
        agencies: unit.agencies.map((agency) => agency.agencyCode),
      };
      entry = { profile, until: now + this.maxAgeSeconds * 1000 };
    } catch {
      entry = { profile: undefined, until: now + FAILED_READ_RETRY_MS };
    }
    if (this.entries.size > 1_000) this.entries.clear();
    this.entries.set(unitCode, entry);
    return entry.profile;
  }
}
