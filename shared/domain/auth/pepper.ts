import { z } from 'zod';
import type { Clock } from '../ports.ts';

/** The version a key record without one was hashed under: the secret before it held versions. */
export const LEGACY_PEPPER_VERSION = '1';

/**
 * The server secrets keys are hashed with, by version. New keys are hashed under `current`; a key is
 * verified under the version its record names, so during a rotation the old and the new version both
 * verify, and removing a version from the secret retires every key hashed under it.
 */
export interface PepperRing {
  current: string;
  peppers: Readonly<Record<string, string>>;
}

const pepperText = z.string().min(32, 'must be at least 32 characters');
const ringSchema = z
  .object({
    current: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be a version name such as 2'),
    peppers: z.record(z.string().regex(/^[A-Za-z0-9._-]{1,32}$/), pepperText),
  })
  .refine((ring) => ring.peppers[ring.current] !== undefined, {
    message: 'current must name one of the peppers',
    path: ['current'],
  });

export class PepperFormatError extends Error {
  override readonly name = 'PepperFormatError';
}

/**
 * The secret's text: either JSON `{"current":"2","peppers":{"1":"…","2":"…"}}`, or one plain string of at
 * least 32 characters, which is version 1 (the format before versions, so existing keys keep verifying).
 */
export function parsePepperRing(text: string): PepperRing {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    const plain = pepperText.safeParse(trimmed);
    if (!plain.success) throw new PepperFormatError('The key secret must be at least 32 characters.');
    return { current: LEGACY_PEPPER_VERSION, peppers: { [LEGACY_PEPPER_VERSION]: plain.data } };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new PepperFormatError('The key secret starts with "{" but is not JSON.');
  }
  const parsed = ringSchema.safeParse(json);
  if (!parsed.success)
    throw new PepperFormatError(
      `The key secret is not a pepper ring: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export interface PepperSource {
  /** The ring, at most `maxAgeMs` old. */
  ring(): Promise<PepperRing>;
  /** The ring read anew, unless it was read within the last `minRefreshMs` (so unknown versions cannot flood the secret store). */
  refresh(): Promise<PepperRing>;
}

/**
 * Keeps the ring for a bounded age, so a rotation reaches every warm function within `maxAgeMs`, and reads
 * it early when a key names a version the ring does not have yet (a key issued after the last read).
 */
export class CachedPepperSource implements PepperSource {
  private cached?: { ring: PepperRing; at: number };
  private pending?: Promise<PepperRing>;

  constructor(
    private readonly load: () => Promise<PepperRing>,
    private readonly maxAgeMs: number,
    private readonly minRefreshMs: number,
    private readonly clock: Clock,
  ) {}

  async ring(): Promise<PepperRing> {
    const now = this.clock();
    if (this.cached && now - this.cached.at < this.maxAgeMs) return this.cached.ring;
    return this.read();
  }

  async refresh(): Promise<PepperRing> {
    const now = this.clock();
    if (this.cached && now - this.cached.at < this.minRefreshMs) return this.cached.ring;
    return this.read();
  }

  private read(): Promise<PepperRing> {
    this.pending ??= this.load()
      .then((ring) => {
        this.cached = { ring, at: this.clock() };
        return ring;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

/** A ring that never changes: tests, and tools that read the secret once per run. */
export function staticPepperSource(ring: PepperRing): PepperSource {
  return { ring: async () => ring, refresh: async () => ring };
}
