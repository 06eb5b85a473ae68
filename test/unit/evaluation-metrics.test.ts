import { describe, expect, it } from 'vitest';
import type { EvaluationSummary } from '../../shared/domain/evaluation/evaluate.ts';
import { runMetrics } from '../../shared/runtime/evaluation-wiring.ts';

const summary: EvaluationSummary = {
  asOf: '2026-12-01T03:00:00.000Z',
  units: 83,
  byStatus: { connected: 80, partial: 2, notConnected: 1 },
  transitions: 4,
  alertsSent: 3,
  snapshotBytes: 2_048_000,
  snapshotObjects: 90,
  failures: [{ unitCode: 'H32', reason: 'throttled' }],
};
const byName = (metrics: ReturnType<typeof runMetrics>) =>
  Object.fromEntries(metrics.map((metric) => [metric.name, [metric.unit, metric.value]]));

describe('the metrics of an evaluation run', () => {
  it('report a live run’s snapshot size, which tells the snapshot-stale alarm that latest.json was published', () => {
    expect(byName(runMetrics(summary, 'live', 1234.4))).toEqual({
      EvaluationSucceeded: ['Count', 1],
      UnitsNotConnected: ['Count', 3],
      AlertsSent: ['Count', 3],
      UnitEvaluationsFailed: ['Count', 1],
      SnapshotBytes: ['Bytes', 2_048_000],
      EvaluationDuration: ['Milliseconds', 1234],
    });
  });

  it('leave out the snapshot size of a run as of a past time, so it cannot hide a stale live snapshot', () => {
    const metrics = byName(runMetrics(summary, 'asOf', 10));
    expect(metrics).not.toHaveProperty('SnapshotBytes');
    expect(metrics.EvaluationSucceeded).toEqual(['Count', 1]);
  });
});
