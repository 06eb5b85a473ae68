/**
 * A scenario replayed as it would have happened: the stack's clock starts at the first thing the scenario
 * sends and jumps forward through its history, each request is sent at its own time, and the scheduled
 * evaluation runs at each step, so verdicts, their confirmations, alerts and digests accumulate as they would
 * have. Sent at the real time instead, a request dated in the past is stamped with its arrival: a heartbeat
 * that stopped days ago would come back to life and an old catalogue would be new again, so those requests
 * are for the time lapse only.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A request with its time: when the scenario sends it (undefined: at the scenario's `now`). */
export interface Dated {
  at?: number | undefined;
  /** A heartbeat or catalogue sync dated before the scenario's `now`: sent by a time lapse only. */
  timeLapseOnly?: boolean;
}

/** The stack's one clock: read, and moved forward (never back). */
export interface TimeLapseClock {
  now(): number;
  advanceTo(ms: number): void;
}

export interface TimeLapse {
  clock: TimeLapseClock;
  /** Resolves once everything sent so far is counted. */
  drained(): Promise<void>;
  /** One scheduled evaluation, at the clock's time. */
  evaluate(): Promise<void>;
  /** Evaluations in a row at each step: the confirmations a change of status takes. */
  evaluationsPerStep: number;
  /** Called after each step's evaluations. */
  onStep?: (done: number, total: number, at: number) => void;
}

/** The hour of a working day at which a step of the history is evaluated: 17:30, once the offices close. */
const STEP_HOUR = 17.5;

/**
 * The scheduled evaluations a time lapse replays: 17:30 (Vietnam time) on each day of the history from
 * `from`, then `now`. Heartbeats are due only near these, not every five minutes of the history.
 */
export function evaluationSteps(from: number, now: number): number[] {
  const firstDay = from - ((from + 7 * HOUR) % DAY);
  const steps: number[] = [];
  for (let day = firstDay; day + STEP_HOUR * HOUR < now; day += DAY) {
    const at = day + STEP_HOUR * HOUR;
    if (at >= from) steps.push(at);
  }
  steps.push(now);
  return steps;
}

/** The step at which something that happened at `ms` is sent: the first at or after it (the last, if none). */
export function stepOf(steps: readonly number[], ms: number): number {
  return steps.find((step) => step >= ms) ?? (steps.at(-1) as number);
}

/**
 * Sends `requests` in time order, moving `timeLapse.clock` to each request's time and evaluating at each of
 * `steps` once what was sent by then is counted. The clock never moves back: a time already passed is sent at
 * once. Returns how many evaluations ran.
 */
export async function runTimeLapse<R extends Dated>(
  requests: readonly R[],
  steps: readonly number[],
  now: number,
  timeLapse: TimeLapse,
  send: (batch: readonly R[]) => Promise<void>,
): Promise<number> {
  const byTime = new Map<number, R[]>();
  for (const request of requests) {
    const at = request.at ?? now;
    const list = byTime.get(at);
    if (list) list.push(request);
    else byTime.set(at, [request]);
  }
  const evaluated = new Set(steps);
  const times = [...new Set([...byTime.keys(), ...steps])].sort((a, b) => a - b);
  let evaluations = 0;
  let done = 0;
  for (const at of times) {
    if (at > timeLapse.clock.now()) timeLapse.clock.advanceTo(at);
    await send(byTime.get(at) ?? []);
    if (!evaluated.has(at)) continue;
    await timeLapse.drained();
    for (let i = 0; i < timeLapse.evaluationsPerStep; i++) {
      await timeLapse.evaluate();
      evaluations++;
    }
    timeLapse.onStep?.(++done, steps.length, at);
  }
  return evaluations;
}
