import type { SenderProfileName } from '../schemas/legacy-emc.ts';
import type { RefusalReason } from '../schemas/me.ts';
import type { Feed } from '../schemas/queue.ts';

/** Milliseconds since the epoch; injected so evaluation can run "as of" any time and tests control time. */
export type Clock = () => number;

/** Holds already-serialised message bodies. Resolves only when the queue holds every one of them. */
export interface QueuePort {
  send(feed: Feed, bodies: readonly string[]): Promise<void>;
}

export interface StoredKey {
  prefix: string;
  unitCode: string;
  /** Hex HMAC-SHA256 of the whole key under the server secret. */
  hash: string;
  /** The version of the server secret the hash is under; absent on keys made before versions (version 1). */
  pepperVersion?: string;
  status: 'active' | 'revoked';
  createdAt: number;
  /** Updated at most every few minutes per key, so it costs ingest next to nothing. */
  lastUsedAt?: number;
  /** Set when the key is rotated out: it keeps working until then, so units can switch without a gap. */
  expiresAt?: number;
  /** Set on every key of a unit that was retired, merged or split, for the retired-code rule. */
  retired?: { on: string; successors: string[] };
  /** How the legacy feed reads this key's records (`generic` when absent), so ingest needs no registry. */
  sender?: SenderProfileName;
}

export interface KeyLookupPort {
  findByPrefix(prefix: string): Promise<StoredKey | undefined>;
  /** Records that the key was used; best effort. */
  touch?(prefix: string, at: number): Promise<void>;
}

/** What ingest knows of a unit's registration: enough to warn about data the evaluation will not credit. */
export interface UnitProfile {
  systems: readonly string[];
  agencies: readonly string[];
}

/** The registry as ingest sees it, through a cache of bounded age; undefined when the unit is unknown. */
export interface UnitDirectoryPort {
  profile(unitCode: string): Promise<UnitProfile | undefined>;
}

/** What a unit's synced catalogue says of one procedure: the facts a legacy feed cannot carry. */
export interface CatalogProcedure {
  onlineLevel: 'none' | 'partial' | 'full';
  feeBearing: boolean;
}

/**
 * The unit's synced catalogue as ingest sees it, through a cache of bounded age: the procedures by code, or
 * undefined when the unit has synced none (or the read failed, which derives nothing rather than failing).
 */
export interface ProcedureCatalogPort {
  procedures(unitCode: string): Promise<ReadonlyMap<string, CatalogProcedure> | undefined>;
}

/** One refused event, or one refused request, as the unit may later read it back: never a body, never a key. */
export interface Refusal {
  reason: RefusalReason;
  path: string;
  message: string;
  eventId?: string;
  codeProfile?: string;
}

/** Counts refusals per unit, day and reason, with a few recent examples. Written only when something is refused. */
export interface RefusalLogPort {
  record(unitCode: string, at: number, refusals: readonly Refusal[]): Promise<void>;
}
