import { describe, expect, it } from 'vitest';
import { diagnoseUnits } from '../../../shared/app/doctor.ts';
import { OperationRefusedError } from '../../../shared/app/errors.ts';
import { reconcileUnit } from '../../../shared/app/reconcile.ts';
import { operatorStatus } from '../../../shared/app/status.ts';
import { loadSettings } from '../../../shared/config/settings.ts';
import type { UnitInput } from '../../../shared/schemas/registry.ts';
import { InMemoryEvaluationReader, InMemoryRegistry } from '../../fakes/evaluation.ts';

const config = loadSettings({});
const NOW = Date.parse('2026-11-23T03:00:00Z');
const unit = (unitCode: string, extra: Partial<UnitInput> = {}): UnitInput => ({
  unitCode,
  name: `Unit ${unitCode}`,
  kind: 'province',
  createdOn: '2025-01-01',
  ...extra,
});

describe('emc status', () => {
  it('adds what is visible and in flight in a DLQ, and ages the snapshot by the given time', async () => {
    const depths: Record<string, { visible: number; inFlight: number }> = {
      main: { visible: 3, inFlight: 1 },
      dlq: { visible: 2, inFlight: 5 },
    };
    const latest = {
      generatedAt: new Date(NOW - 90_000).toISOString(),
      connection: { connected: 40, registered: 63 },
      units: [{ unitCode: 'H48', evaluation: { reason: 'read timed out' } }, { unitCode: 'H01' }],
    };

    const report = await operatorStatus({
      queues: { depth: async (url) => depths[url] ?? { visible: 0, inFlight: 0 } },
      published: { get: async () => ({ bytes: Buffer.from(JSON.stringify(latest)) }) },
      feeds: { heartbeats: { url: 'main', dlqUrl: 'dlq' } },
      now: NOW,
    });

    expect(report).toEqual({
      queues: { heartbeats: { visible: 3, inFlight: 1, dlq: 7 } },
      snapshot: {
        generatedAt: latest.generatedAt,
        ageSeconds: 90,
        connected: 40,
        registered: 63,
        failures: [{ unitCode: 'H48', reason: 'read timed out' }],
      },
    });
  });

  it('reports no snapshot when none is published yet', async () => {
    const report = await operatorStatus({
      queues: { depth: async () => ({ visible: 0, inFlight: 0 }) },
      published: { get: async () => undefined },
      feeds: {},
      now: NOW,
    });

    expect(report.snapshot).toEqual({
      generatedAt: null,
      ageSeconds: null,
      connected: null,
      registered: null,
      failures: [],
    });
  });
});

describe('emc reconcile', () => {
  it("reconciles a successor's reported totals with its own and its predecessor's counted dossiers", async () => {
    const registry = new InMemoryRegistry([
      unit('H02', { retiredOn: '2026-11-01', successors: [{ unitCode: 'H05' }] }),
      unit('H05'),
    ]);
    const reader = new InMemoryEvaluationReader()
      .addCounters('H05', '000.00.10.H05', '2026-11-20', { received: 3 })
      .addCounters('H02', '000.00.10.H02', '2026-11-20', { received: 2 })
      .setSignals('H05', {
        dailyTotals: [
          {
            date: '2026-11-20',
            reportedAt: NOW,
            received: 5,
            receivedOnline: 0,
            resolved: 0,
            resolvedOnTime: 0,
          },
        ],
      });

    const rows = await reconcileUnit({ reader, registry, tolerance: 0 }, 'H05', ['2026-11-20'], NOW);

    expect(rows.find((row) => row.figure === 'received')).toMatchObject({
      date: '2026-11-20',
      reported: 5,
      counted: 5,
      difference: 0,
      withinTolerance: true,
    });
  });
});

describe('emc doctor', () => {
  const reader = { snapshot: async () => undefined, refusals: async () => [], setAside: async () => [] };

  it('refuses a unit that is not registered, by its code', async () => {
    const registry = new InMemoryRegistry([unit('H48')]);

    await expect(diagnoseUnits({ registry, reader, config }, ['H99'], NOW)).rejects.toThrow(
      new OperationRefusedError('Unit H99 is not registered.'),
    );
  });

  it('by default looks only at units the last evaluation published as not fully connected', async () => {
    const registry = new InMemoryRegistry([unit('H48')]);

    expect(await diagnoseUnits({ registry, reader, config }, [], NOW)).toEqual([]);
    expect(await diagnoseUnits({ registry, reader, config }, ['H48'], NOW)).toHaveLength(1);
  });
});
