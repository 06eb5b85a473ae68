import { describe, expect, it } from 'vitest';
import { evaluationSteps, runTimeLapse, stepOf } from '../../simulator/time-lapse.ts';

const at = (iso: string): number => Date.parse(iso);

describe('the steps of a time lapse', () => {
  it('evaluates at 17:30 Vietnam time each day from the first, then at the run’s now', () => {
    const steps = evaluationSteps(at('2026-11-15T10:00:00+07:00'), at('2026-11-18T10:00:00+07:00'));
    expect(steps.map((s) => new Date(s).toISOString())).toEqual([
      '2026-11-15T10:30:00.000Z',
      '2026-11-16T10:30:00.000Z',
      '2026-11-17T10:30:00.000Z',
      '2026-11-18T03:00:00.000Z',
    ]);
  });

  it('starts on the first day when the history starts a minute before 17:30, the next day a minute after', () => {
    const now = at('2026-11-18T10:00:00+07:00');
    expect(evaluationSteps(at('2026-11-16T17:29:00+07:00'), now)[0]).toBe(at('2026-11-16T17:30:00+07:00'));
    expect(evaluationSteps(at('2026-11-16T17:31:00+07:00'), now)[0]).toBe(at('2026-11-17T17:30:00+07:00'));
  });

  it('leaves out the run’s own day at 17:30 when the run is before it, keeps it a minute after', () => {
    const from = at('2026-11-17T09:00:00+07:00');
    expect(evaluationSteps(from, at('2026-11-18T17:30:00+07:00')).length).toBe(2);
    expect(evaluationSteps(from, at('2026-11-18T17:31:00+07:00')).length).toBe(3);
  });

  it('sends what happened at the first step at or after it, and what came after the last at the last', () => {
    const steps = [100, 200, 300];
    expect([stepOf(steps, 0), stepOf(steps, 100), stepOf(steps, 101), stepOf(steps, 301)]).toEqual([
      100, 100, 200, 300,
    ]);
  });
});

describe('a time lapse', () => {
  it('moves the clock forward to each request, evaluates each step after it is counted, and never moves back', async () => {
    let real = 1_000;
    const log: string[] = [];
    const clock = {
      now: () => real,
      advanceTo: (ms: number) => {
        if (ms < real) throw new RangeError('back');
        real = ms;
      },
    };
    const requests = [
      { id: 'catalogue long before', at: 500 },
      { id: 'heartbeat', at: 2_000 },
      { id: 'event', at: 2_000 },
      { id: 'totals' },
      { id: 'late heartbeat', at: 3_000 },
    ];
    const evaluations = await runTimeLapse(
      requests,
      [2_000, 4_000],
      4_000,
      {
        clock,
        drained: async () => {
          log.push(`drained@${real}`);
        },
        evaluate: async () => {
          log.push(`evaluated@${real}`);
          real += 10;
        },
        evaluationsPerStep: 2,
      },
      async (batch) => {
        log.push(`sent ${batch.map((r) => r.id).join('+') || 'nothing'}@${real}`);
      },
    );
    expect(evaluations).toBe(4);
    expect(log).toEqual([
      // The clock already reads 1000: what is dated before goes at once.
      'sent catalogue long before@1000',
      'sent heartbeat+event@2000',
      'drained@2000',
      'evaluated@2000',
      'evaluated@2010',
      'sent late heartbeat@3000',
      'sent totals@4000',
      'drained@4000',
      'evaluated@4000',
      'evaluated@4010',
    ]);
  });
});
