/**
 * Evaluations must not overlap: two runs would judge the same units at once and could send one status change
 * twice. Reserved concurrency of 1 would need a quota new accounts do not have, so each run takes a lease
 * first, held until the run's own deadline; a run that dies leaves a lease that simply expires.
 */
export interface LeasePort {
  /** Takes the lease for `holder` until `until` (epoch ms) if it is free or expired at `now`; false if held. */
  acquire(holder: string, now: number, until: number): Promise<boolean>;
  /** Gives the lease back, but only if `holder` still holds it. */
  release(holder: string): Promise<void>;
}

export type Exclusive<T> = { ran: true; value: T } | { ran: false };

/** Runs `work` only while holding the lease, and always gives the lease back afterwards. */
export async function exclusively<T>(
  lease: LeasePort,
  holder: string,
  window: { now: number; until: number },
  work: () => Promise<T>,
): Promise<Exclusive<T>> {
  if (!(await lease.acquire(holder, window.now, window.until))) return { ran: false };
  try {
    return { ran: true, value: await work() };
  } finally {
    await lease.release(holder);
  }
}
