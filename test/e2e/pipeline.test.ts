import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_ONLY_UNITS } from '../../cli/simulate/registry.ts';
import type { ExpectedFigures, GroundTruth } from '../../cli/simulate/simulate.ts';
import { freePort } from '../../local/servers.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import type { Kpis, LatestSnapshot } from '../../shared/schemas/snapshot.ts';

/**
 * The whole pipeline, on a clock that starts at a chosen time. The boundary settings send at the end of a
 * Vietnam day and evaluate just after midnight, so "today", the month, the quarter and the year all move
 * between the traffic and the figures. `EMC_E2E_CLOCKS` picks settings by name (comma-separated, or `all`).
 */
interface ClockSetting {
  name: string;
  start: string;
  /** Evaluate at this time, after moving the clock there; default: right after the traffic. */
  evaluateAt?: string;
}

/** In time order: one process runs them one after another, and its clock never goes back. */
const SETTINGS: ClockSetting[] = [
  { name: 'mid-month', start: '2026-11-18T10:00:00+07:00' },
  { name: 'month-end', start: '2026-11-30T23:58:00+07:00', evaluateAt: '2026-12-01T00:01:00+07:00' },
  { name: 'year-end', start: '2026-12-31T23:55:00+07:00', evaluateAt: '2027-01-01T00:01:00+07:00' },
  { name: 'quarter-end', start: '2027-03-31T23:58:00+07:00', evaluateAt: '2027-04-01T00:01:00+07:00' },
  { name: 'leap-day', start: '2028-02-29T12:00:00+07:00' },
];
const chosen = (process.env.EMC_E2E_CLOCKS ?? 'mid-month,month-end').split(',');
const settings = chosen.includes('all') ? SETTINGS : SETTINGS.filter((s) => chosen.includes(s.name));

/** The Vietnam midnight that starts the day of `ms`. */
const dayStart = (ms: number): number => ms - ((ms + 7 * 3_600_000) % 86_400_000);

const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;

/** Every figure the ground truth knows, with the rates that follow from its counts by their definitions. */
function expectedKpis(f: ExpectedFigures): Partial<Kpis> {
  return {
    ...f,
    onlineRate: ratio(f.dossiersReceivedOnline, f.dossiersReceived),
    fullOnlineRate: ratio(f.fullOnlineDossiers, f.fullOnlineEligible),
    processedOnlineRate: ratio(f.dossiersResolvedOnline, f.dossiersResolved),
    onTimeRate: ratio(f.dossiersOnTime, f.onTimeDenominator),
    onlinePaymentRate: ratio(f.onlinePayments, f.dossiersWithFee),
    digitizedRate: ratio(f.dossiersDigitized, f.dossiersResolved),
    satisfactionRate: ratio(f.satisfiedRatings, f.ratings),
  };
}

function pick(kpis: Kpis, like: Partial<Kpis>): Partial<Kpis> {
  return Object.fromEntries(Object.keys(like).map((name) => [name, kpis[name as keyof Kpis]]));
}

function expectMatchesTruth(snapshot: LatestSnapshot, truth: GroundTruth): void {
  const statuses = (rows: { unitCode: string; status: string; reasons: string[] }[]) =>
    rows.map((r) => `${r.unitCode} ${r.status} ${r.reasons.join(',')}`).sort();
  expect(
    statuses(
      snapshot.units.map((row) => ({
        unitCode: row.unitCode,
        status: row.connection.status,
        reasons: row.connection.reasons.map((r) => r.code),
      })),
    ),
  ).toEqual(
    statuses(
      Object.entries(truth.units).map(([unitCode, u]) => ({
        unitCode,
        status: u.status,
        reasons: u.reasons,
      })),
    ),
  );
  expect(snapshot.connection).toMatchObject({ registered: truth.registered, connected: truth.connected });
  expect(snapshot.units.map((row) => row.unitCode).sort()).toEqual(Object.keys(truth.units).sort());
  let compared = 0;
  for (const row of snapshot.units) {
    const expected = truth.units[row.unitCode];
    expect({ unit: row.unitCode, status: row.connection.status }).toEqual({
      unit: row.unitCode,
      status: expected?.status,
    });
    expect(row.connection.reasons.map((r) => r.code)).toEqual(expected?.reasons);
    for (const period of ['today', 'monthToDate', 'quarterToDate', 'yearToDate'] as const) {
      const want = expectedKpis(expected?.[period] as ExpectedFigures);
      expect({ unit: row.unitCode, period, ...pick(row.kpis[period], want) }).toEqual({
        unit: row.unitCode,
        period,
        ...want,
      });
      compared++;
    }
    // The index of the year to date, by its definition; the pipeline rounds each group to 0.01.
    expect(row.score.measuredMax).toBe(expected?.score.measuredMax);
    if (expected?.score.scaled == null) expect(row.score.scaled).toBeNull();
    else expect(Math.abs((row.score.scaled ?? Number.NaN) - expected.score.scaled)).toBeLessThan(0.05);
  }
  expect(compared).toBe(4 * truth.registered);
  for (const [kind, want] of Object.entries(truth.byKind)) {
    const got = snapshot.byKind[kind]?.score;
    expect({ kind, scored: got?.scored }).toEqual({ kind, scored: want.scored });
    if (want.average === null) expect(got?.average).toBeNull();
    else expect(Math.abs((got?.average ?? Number.NaN) - want.average)).toBeLessThan(0.05);
  }
  expect(snapshot.national.kpis.yearToDate.dossiersReceived).toBe(truth.national.yearToDate.dossiersReceived);
  expect(snapshot.national.kpis.yearToDate.onlineRate).toBe(truth.national.onlineRate);
}

/**
 * One set of ports for every setting: the handlers are imported once per process and keep their SDK clients,
 * so each setting's stack (with its own data) runs on the same ports, after the previous one has stopped.
 */
let ports: { dynamodb: number; s3: number; sqs: number } | undefined;
/** … and one key pepper: warm ingest handlers keep the pepper they read for a bounded time. */
const PEPPER = randomBytes(32).toString('hex');

describe.each(settings)('the whole pipeline on one machine, clock at $name ($start)', (setting) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'emc-e2e-'));
  let clock: ShiftedClock;
  let stack: Stack;
  let truth: GroundTruth;
  const start = (): Promise<Stack> =>
    startStack({ dataDir, ports, maxReceiveCount: 2, visibilityTimeoutSeconds: 1, clock });

  async function latest(): Promise<LatestSnapshot> {
    const response = await fetch(`${stack.url}/snapshots/latest.json`);
    expect(response.status).toBe(200);
    return (await response.json()) as LatestSnapshot;
  }

  beforeAll(async () => {
    ports ??= { dynamodb: await freePort(), s3: await freePort(), sqs: await freePort() };
    clock = ShiftedClock.startingAt(Date.parse(setting.start));
    writeFileSync(join(dataDir, 'key-pepper'), PEPPER, { mode: 0o600 });
    stack = await start();
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers health once everything is ready', async () => {
    const response = await fetch(`${stack.url}/v1/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('publishes, for every unit, the status and the day, month, quarter and year figures sent', async () => {
    const { simulateAgainst } = await import('../../cli/simulate/run.ts');
    const sendAt = clock.now();
    const evaluateAt = setting.evaluateAt ? Date.parse(setting.evaluateAt) : undefined;
    // However slow the machine, the traffic is stamped before midnight; the evaluation comes after it.
    if (evaluateAt) clock.holdAt(dayStart(evaluateAt) - 1);
    truth = await simulateAgainst(
      { url: stack.url, tables: stack.file.tables },
      { seed: 7, dossiers: 2500, days: 10, now: sendAt, ...(evaluateAt ? { evaluateAt } : {}) },
    );
    expect(truth.connected).toBe(67);
    expect(truth.registered).toBe(83);
    expect(truth.sent.duplicates).toBeGreaterThan(0);
    expect(truth.sent.legacy).toBeGreaterThan(0);
    await stack.drained();
    if (evaluateAt) {
      expect(clock.now()).toBeLessThan(dayStart(evaluateAt));
      clock.advanceTo(evaluateAt);
    }
    await stack.evaluateNow();
    const snapshot = await latest();
    expect(Date.parse(snapshot.generatedAt)).toBeGreaterThanOrEqual(evaluateAt ?? sendAt);
    expectMatchesTruth(snapshot, truth);
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
    expectMatchesTruth(await latest(), truth);
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
    const deadline = performance.now() + 30_000;
    while (found.length === 0 && performance.now() < deadline) {
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

it('runs at least one clock setting', () => {
  expect(settings.length).toBeGreaterThan(0);
});
