import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_ONLY_UNITS } from '../../cli/simulate/registry.ts';
import type { GroundTruth } from '../../cli/simulate/simulate.ts';
import { freePort } from '../../local/servers.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import type { LatestSnapshot } from '../../shared/schemas/snapshot.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'emc-e2e-'));
let stack: Stack;
let ports: { dynamodb: number; s3: number; sqs: number };
let truth: GroundTruth;

async function start(): Promise<Stack> {
  return startStack({ dataDir, ports, maxReceiveCount: 2, visibilityTimeoutSeconds: 1 });
}

async function latest(): Promise<LatestSnapshot> {
  const response = await fetch(`${stack.url}/snapshots/latest.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as LatestSnapshot;
}

function expectMatchesTruth(snapshot: LatestSnapshot): void {
  expect(snapshot.connection).toMatchObject({ registered: truth.registered, connected: truth.connected });
  for (const row of snapshot.units) {
    const expected = truth.units[row.unitCode];
    expect(expected, row.unitCode).toBeDefined();
    expect({
      unit: row.unitCode,
      status: row.connection.status,
      reasons: row.connection.reasons.map((r) => r.code),
    }).toEqual({
      unit: row.unitCode,
      status: expected?.status,
      reasons: expected?.reasons,
    });
    for (const period of ['today', 'yearToDate'] as const) {
      const actual = Object.fromEntries(
        Object.keys(expected?.[period] ?? {}).map((name) => [
          name,
          row.kpis[period][name as keyof typeof row.kpis.today],
        ]),
      );
      expect({ unit: row.unitCode, period, ...actual }).toEqual({
        unit: row.unitCode,
        period,
        ...expected?.[period],
      });
    }
  }
  expect(snapshot.national.kpis.yearToDate.dossiersReceived).toBe(truth.national.yearToDate.dossiersReceived);
  expect(snapshot.national.kpis.yearToDate.onlineRate).toBeCloseTo(truth.national.onlineRate ?? -1, 10);
}

beforeAll(async () => {
  ports = { dynamodb: await freePort(), s3: await freePort(), sqs: await freePort() };
  stack = await start();
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the whole pipeline on one machine', () => {
  it('answers health once everything is ready', async () => {
    const response = await fetch(`${stack.url}/v1/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('publishes, for every unit, the status and figures the simulator generated', async () => {
    const { simulateAgainst } = await import('../../cli/simulate/run.ts');
    truth = await simulateAgainst(
      { url: stack.url, tables: stack.file.tables },
      { seed: 7, dossiers: 2500, days: 10, now: Date.now() },
    );
    expect(truth.connected).toBe(67);
    expect(truth.registered).toBe(83);
    expect(truth.sent.duplicates).toBeGreaterThan(0);
    expect(truth.sent.legacy).toBeGreaterThan(0);
    await stack.drained();
    await stack.evaluateNow();
    const snapshot = await latest();
    expectMatchesTruth(snapshot);
    // Four units whose only integration is an existing OpenCPS or .NET sender are among the connected.
    const legacyOnly = snapshot.units
      .filter((row) => row.connection.criteria?.sender !== null)
      .map((row) => [row.unitCode, row.connection.criteria?.sender, row.connection.status])
      .sort();
    expect(legacyOnly).toEqual(
      Object.entries(LEGACY_ONLY_UNITS)
        .map(([code, sender]) => [code, sender, 'connected'])
        .sort(),
    );
  });

  it('loses nothing across a restart', async () => {
    await stack.stop();
    stack = await start();
    await stack.evaluateNow();
    expectMatchesTruth(await latest());
  });

  it('moves a poison message to the DLQ and keeps counting the rest', async () => {
    const sqs = new SQSClient({});
    const queue = stack.file.queues['dossier-events'];
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue?.url,
        MessageBody: '{"v":1,"kind":"dossier-events","oops":true}',
      }),
    );
    let found: string[] = [];
    const deadline = Date.now() + 30_000;
    while (found.length === 0 && Date.now() < deadline) {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue?.dlqUrl, WaitTimeSeconds: 1, VisibilityTimeout: 0 }),
      );
      found = (got.Messages ?? []).map((m) => m.Body ?? '');
    }
    expect(found).toEqual(['{"v":1,"kind":"dossier-events","oops":true}']);
  });

  it('serves a 404 problem for an unknown route and 405 for a wrong method', async () => {
    const missing = await fetch(`${stack.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrong = await fetch(`${stack.url}/v1/dossier-events`, { method: 'GET' });
    expect(wrong.status).toBe(405);
  });
});
