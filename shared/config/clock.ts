import type { Clock } from '../domain/ports.ts';
import { ENV } from './env-names.ts';
import { ConfigurationError } from './settings.ts';

export type { Clock };

/** The real time. */
export const systemClock: Clock = () => Date.now();

/**
 * The real time moved by a fixed offset: it starts where it was asked to and moves forward at the real pace.
 * Processes that share the offset share the time, which is how the `emc` CLI follows a local stack that was
 * started at another time (`EMC_NOW`, `--now`).
 */
export class ShiftedClock {
  private offset: number;
  private ceiling = Number.POSITIVE_INFINITY;

  constructor(
    offsetMs: number,
    private readonly real: Clock = systemClock,
  ) {
    this.offset = offsetMs;
  }

  /** A clock that reads `startMs` now. */
  static startingAt(startMs: number, real: Clock = systemClock): ShiftedClock {
    return new ShiftedClock(startMs - real(), real);
  }

  readonly now: Clock = () => Math.min(this.real() + this.offset, this.ceiling);

  get offsetMs(): number {
    return this.offset;
  }

  /** Moves the time forward, as a test does to cross a midnight without waiting for it. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('A clock only moves forward.');
    this.offset += ms;
  }

  /**
   * Holds the time at `ms` at the latest until `advanceTo`: a test that sends traffic "before midnight" on a
   * slow machine keeps it before midnight, however long the sending takes.
   */
  holdAt(ms: number): void {
    this.ceiling = ms;
  }

  /** Moves the time forward to `ms` and lets it run again from there. */
  advanceTo(ms: number): void {
    const now = this.now();
    if (!(ms >= now)) throw new RangeError('A clock only moves forward.');
    this.ceiling = Number.POSITIVE_INFINITY;
    this.offset = ms - this.real();
  }
}

/** Parses a start time such as `2026-11-30T23:58:00+07:00`; the offset is required, so nobody guesses a zone. */
export function parseStartTime(value: string, name: string): number {
  const ms = /(?:Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new ConfigurationError(
      `${name} must be an ISO time with its offset, such as 2026-11-30T23:58:00+07:00 (got "${value}").`,
    );
  return ms;
}

/**
 * The installed clock is kept on the process's global object under a registered symbol, not in this module:
 * the bundled functions (`npm start -- --bundled`) each carry their own copy of this module, and must still
 * read the one clock the local runtime installed.
 */
const INSTALLED = Symbol.for('emc.installedClock');
const slot = globalThis as { [INSTALLED]?: Clock | undefined };

/** The local runtime installs the stack's clock before it imports the handlers, which read `processClock`. */
export function installClock(clock: Clock | undefined): void {
  slot[INSTALLED] = clock;
}

/**
 * The one clock that every handler, worker and evaluation of this process reads. In Lambda it is always the
 * real time, whatever the environment says. Elsewhere it is the clock the local runtime installed, or one
 * that starts at `EMC_NOW`, or the real time.
 */
export function processClock(env: NodeJS.ProcessEnv = process.env): Clock {
  if (env[ENV.lambdaFunctionName]) return systemClock;
  const startAt = env[ENV.now];
  const fromEnv = startAt ? ShiftedClock.startingAt(parseStartTime(startAt, ENV.now)).now : systemClock;
  return () => (slot[INSTALLED] ?? fromEnv)();
}
