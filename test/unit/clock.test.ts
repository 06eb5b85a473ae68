import { afterEach, describe, expect, it } from 'vitest';
import {
  installClock,
  parseStartTime,
  processClock,
  ShiftedClock,
  systemClock,
} from '../../shared/config/clock.ts';
import { ConfigurationError } from '../../shared/config/settings.ts';
import { clockOffsetMs } from '../../site/src/data.ts';

/** A stand-in for the real time that the test moves by hand. */
function realTime(start: number): { read: () => number; pass: (ms: number) => void } {
  let now = start;
  return { read: () => now, pass: (ms) => (now += ms) };
}

const ELEVEN_PM = Date.parse('2026-11-30T23:58:00+07:00');

describe('the one clock', () => {
  afterEach(() => installClock(undefined));

  it('starts where it is asked to and moves forward at the real pace', () => {
    const real = realTime(1_000_000);
    const clock = ShiftedClock.startingAt(ELEVEN_PM, real.read);
    expect(clock.now()).toBe(ELEVEN_PM);
    real.pass(61_000);
    expect(clock.now()).toBe(ELEVEN_PM + 61_000);
    expect(clock.offsetMs).toBe(ELEVEN_PM - 1_000_000);
  });

  it('crosses a Vietnam midnight when advanced, and never moves back', () => {
    const clock = ShiftedClock.startingAt(ELEVEN_PM, realTime(0).read);
    clock.advance(3 * 60_000);
    expect(new Date(clock.now()).toISOString()).toBe('2026-11-30T17:01:00.000Z');
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
  });

  it('shares the time across processes through its offset', () => {
    const real = realTime(5_000);
    const stack = ShiftedClock.startingAt(ELEVEN_PM, real.read);
    real.pass(10_000);
    const cli = new ShiftedClock(stack.offsetMs, real.read);
    expect(cli.now()).toBe(stack.now());
    expect(cli.now()).toBe(ELEVEN_PM + 10_000);
  });

  it('takes a start time only with its offset, and names the setting otherwise', () => {
    expect(parseStartTime('2028-02-29T12:00:00+07:00', 'EMC_NOW')).toBe(Date.UTC(2028, 1, 29, 5));
    expect(parseStartTime('2026-12-31T16:55:00Z', 'EMC_NOW')).toBe(Date.UTC(2026, 11, 31, 16, 55));
    expect(() => parseStartTime('2026-12-31T23:55:00', '--now')).toThrow(/--now must be an ISO time/);
    expect(() => parseStartTime('yesterday+07:00', 'EMC_NOW')).toThrow(ConfigurationError);
  });

  it('reads EMC_NOW outside Lambda, and the real time in Lambda whatever the environment says', () => {
    const local = processClock({ EMC_NOW: '2026-12-31T23:55:00+07:00' });
    expect(Math.abs(local() - Date.parse('2026-12-31T23:55:00+07:00'))).toBeLessThan(60_000);
    const lambda = processClock({ EMC_NOW: '2026-12-31T23:55:00+07:00', AWS_LAMBDA_FUNCTION_NAME: 'emc' });
    expect(lambda).toBe(systemClock);
  });

  it('follows the clock the local runtime installs, for handlers built before it', () => {
    const handlerClock = processClock({});
    installClock(() => ELEVEN_PM);
    expect(handlerClock()).toBe(ELEVEN_PM);
    installClock(undefined);
    expect(handlerClock()).not.toBe(ELEVEN_PM);
  });

  it('lets the dashboard read the server’s time from a Date header', () => {
    const local = Date.parse('2026-12-01T00:00:00Z');
    expect(clockOffsetMs('Mon, 30 Nov 2026 16:58:00 GMT', local)).toBe(-(7 * 60 + 2) * 60_000);
    expect(clockOffsetMs(null, local)).toBe(0);
    expect(clockOffsetMs('not a date', local)).toBe(0);
  });
});
