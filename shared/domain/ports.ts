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
  status: 'active' | 'revoked';
  createdAt: number;
  lastUsedAt?: number;
}

export interface KeyLookupPort {
  findByPrefix(prefix: string): Promise<StoredKey | undefined>;
}
