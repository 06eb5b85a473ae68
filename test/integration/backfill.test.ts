import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/servers.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoKeyStore } from '../../shared/adapters/dynamo-key-store.ts';
import { DynamoRebuildStore } from '../../shared/adapters/dynamo-rebuild-store.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { FileRebuildCheckpoints } from '../../shared/adapters/file-rebuild-checkpoints.ts';
import { S3Archive } from '../../shared/adapters/s3-archive.ts';
import { rebuild } from '../../shared/app/rebuild.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { issueKey } from '../../shared/domain/auth/api-keys.ts';
import { dayOf } from '../../shared/domain/time.ts';
import type { Kpis, LatestSnapshot, UnitSnapshot } from '../../shared/schemas/snapshot.ts';
import { type CounterMap, expectedCounters } from '../../simulator/model.ts';
import { apiEvent, generateStream, pastStream, prng, type UnitEvent } from '../helpers/dossier-streams.ts';
import { credentials, dynamoClients, region } from '../helpers/local-aws.ts';

/**
 * A unit reconnects after six weeks and sends everything it held at once: dossiers received from late
 * November to early January, across three months, a quarter and a year boundary, shuffled, with resends.
 * Every day, month, quarter and year figure must equal the plain model's, to the dossier.
 */
const config = loadSettings({});
const START = Date.parse('2027-01-08T10:00:00+07:00');
const UNIT = 'H07';
const dataDir = mkdtempSync(join(tmpdir(), 'emc-backfill-'));
let stack: Stack;
let events: UnitEvent[];
let model: CounterMap;

const vnDay = (ms: number): string => dayOf(ms, config.time.utcOffsetMinutes);
const count = (period: string, counter: string): number => model.get(`${UNIT}|${period}|U|${counter}`) ?? 0;

/** The figures the model gives for a set of days or months. */
function expected(periods: readonly string[]): Partial<Kpis> {
  const sum = (counter: string) => periods.reduce((total, p) => total + count(p, counter), 0);
  return {
    dossiersReceived: sum('received'),
    dossiersReceivedOnline: sum('receivedOnline'),
    fullOnlineDossiers: sum('fullOnline'),
    dossiersResolved: sum('resolved'),
    dossiersWithDueDate: sum('resolvedWithDueDate'),
    dossiersOnTime: sum('resolvedOnTime'),
    dossiersWithFee: sum('feeRequired'),
    onlinePayments: sum('paidOnline'),
    onlinePaymentAmountVnd: sum('paidOnlineAmountVnd'),
    dossiersDigitized: sum('digitized'),
  };
}

/**
 * The unit's catalogue: three of the stream's five procedures online, one listed as not online, one not
 * listed at all. Only the online ones listed count as online services with dossiers.
 */
const CATALOG = [
  { procedureCode: '1.001000', onlineLevel: 'full' },
  { procedureCode: '1.001001', onlineLevel: 'none' },
  { procedureCode: '1.001002', onlineLevel: 'partial' },
  { procedureCode: '1.001004', onlineLevel: 'full' },
] as const;
const ONLINE_IN_CATALOG = new Set<string>(
  CATALOG.filter((p) => p.onlineLevel !== 'none').map((p) => p.procedureCode),
);

/** Procedures with at least one online dossier received in any of the months, in the catalogue's online ones or not. */
function servicesWithDossiers(months: readonly string[], inCatalog: boolean): number {
  const procedures = new Set<string>();
  for (const [key, value] of model) {
    const [unit, month, procedure, kind] = key.split('|');
    if (
      unit === UNIT &&
      kind === 'online' &&
      value > 0 &&
      months.includes(month ?? '') &&
      ONLINE_IN_CATALOG.has(procedure ?? '') === inCatalog
    )
      procedures.add(procedure ?? '');
  }
  return procedures.size;
}

const pick = (kpis: Kpis, like: Partial<Kpis>): Partial<Kpis> =>
  Object.fromEntries(Object.keys(like).map((name) => [name, kpis[name as keyof Kpis]]));

async function evaluateAt(at: number): Promise<LatestSnapshot> {
  await stack.evaluateNow(at);
  return (await (await fetch(`${stack.url}/snapshots/latest.json`)).json()) as LatestSnapshot;
}

beforeAll(async () => {
  stack = await startStack({
    dataDir,
    ports: { dynamodb: await freePort(), s3: await freePort(), sqs: await freePort() },
    clock: ShiftedClock.startingAt(START),
  });
  const { doc } = dynamoClients(stack.file.dynamodb);
  await new DynamoRegistry(stack.file.tables.state, doc).putUnit({
    unitCode: UNIT,
    name: 'Lai Châu',
    kind: 'province',
    systems: ['tthc'],
  });
  const { key, record } = issueKey(process.env.EMC_KEY_PEPPER ?? '', UNIT, stack.clock.now());
  await new DynamoKeyStore(stack.file.tables.keys, doc).put(record);
  events = pastStream(
    generateStream(41, { units: [UNIT], dossiers: 700, agencies: 4, spanHours: 42 * 24, viaApi: true }),
    stack.clock.now(),
  );
  model = expectedCounters(events);
  const catalog = await fetch(`${stack.url}/v1/catalog`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      procedures: CATALOG.map((p, i) => ({ ...p, name: `Thủ tục ${i + 1}`, feeBearing: i % 2 === 0 })),
    }),
  });
  expect(catalog.status, await catalog.clone().text()).toBe(202);
  const random = prng(43);
  const backlog = [...events, ...events.filter(() => random() < 0.05)]
    .map((event) => ({ event, order: random() }))
    .sort((a, b) => a.order - b.order)
    .map(({ event }) => event);
  for (let start = 0; start < backlog.length; start += 500) {
    const response = await fetch(`${stack.url}/v1/dossier-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: backlog.slice(start, start + 500).map(apiEvent) }),
    });
    expect(response.status, await response.clone().text()).toBe(202);
    expect(((await response.json()) as { rejected: unknown[] }).rejected).toEqual([]);
  }
  await stack.drained();
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a six-week backfill across months, a quarter and a year', () => {
  it('spans three months and two years', () => {
    const months = new Set(
      events.flatMap((e) => (e.receivedAt === undefined ? [] : [vnDay(e.receivedAt).slice(0, 7)])),
    );
    expect([...months].sort()).toEqual(['2026-11', '2026-12', '2027-01']);
  });

  it('gives every day of the 90-day series the model’s figures', async () => {
    await evaluateAt(stack.clock.now());
    const file = (await (await fetch(`${stack.url}/snapshots/units/${UNIT}.json`)).json()) as UnitSnapshot;
    const days = file.series.filter((entry) => entry.date >= '2026-11-01');
    expect(days.length).toBeGreaterThan(60);
    for (const entry of days)
      expect({ date: entry.date, ...pick(entry.kpis, expected([entry.date])) }).toEqual({
        date: entry.date,
        ...expected([entry.date]),
      });
  });

  it.each([
    {
      label: 'November, as of its last minute',
      at: '2026-11-30T23:59:00+07:00',
      month: '2026-11',
      quarter: ['2026-10', '2026-11'],
      year: [
        '2026-01',
        '2026-02',
        '2026-03',
        '2026-04',
        '2026-05',
        '2026-06',
        '2026-07',
        '2026-08',
        '2026-09',
        '2026-10',
        '2026-11',
      ],
    },
    {
      label: 'December, as of the year’s last minute',
      at: '2026-12-31T23:59:00+07:00',
      month: '2026-12',
      quarter: ['2026-10', '2026-11', '2026-12'],
      year: ['2026-11', '2026-12'],
    },
    {
      label: 'January, now',
      at: '2027-01-08T10:00:00+07:00',
      month: '2027-01',
      quarter: ['2027-01'],
      year: ['2027-01'],
    },
  ])('gives the month, quarter and year figures of $label', async ({ at, month, quarter, year }) => {
    const row = (await evaluateAt(Date.parse(at))).units.find((u) => u.unitCode === UNIT);
    const kpis = row?.kpis;
    if (!kpis) throw new Error(`${UNIT} is not in the snapshot`);
    expect(pick(kpis.monthToDate, expected([month]))).toEqual(expected([month]));
    expect(pick(kpis.quarterToDate, expected(quarter))).toEqual(expected(quarter));
    expect(pick(kpis.yearToDate, expected(year))).toEqual(expected(year));
    // As of these times the unit had synced no catalogue yet (it syncs it at START + a few seconds): no
    // procedure with online dossiers is one of its online services yet.
    for (const [period, months] of [
      ['monthToDate', [month]],
      ['quarterToDate', quarter],
      ['yearToDate', year],
    ] as const)
      expect([
        period,
        kpis[period].onlineServicesWithDossiers,
        kpis[period].proceduresOnlineOutsideCatalog,
      ]).toEqual([period, 0, servicesWithDossiers(months, true) + servicesWithDossiers(months, false)]);
    expect(kpis.monthToDate.dossiersReceived).toBeGreaterThan(0);
  });

  it('matches the online dossiers of each period against the catalogue synced since', async () => {
    const kpis = (await evaluateAt(stack.clock.now())).units.find((u) => u.unitCode === UNIT)?.kpis;
    if (!kpis) throw new Error(`${UNIT} is not in the snapshot`);
    const periods = [
      ['monthToDate', ['2027-01']],
      ['yearToDate', ['2027-01']],
    ] as const;
    for (const [period, months] of periods)
      expect([
        period,
        kpis[period].onlineServicesWithDossiers,
        kpis[period].proceduresOnlineOutsideCatalog,
      ]).toEqual([period, servicesWithDossiers(months, true), servicesWithDossiers(months, false)]);
    expect(kpis.monthToDate.onlineServicesOffered).toBe(ONLINE_IN_CATALOG.size);
    expect(servicesWithDossiers(['2027-01'], true)).toBeGreaterThan(0);
    expect(servicesWithDossiers(['2027-01'], false)).toBeGreaterThan(0);
  });

  it('leaves nothing for a rebuild to change', async () => {
    const { doc } = dynamoClients(stack.file.dynamodb);
    const s3 = new S3Client({ endpoint: stack.file.s3, region, credentials, forcePathStyle: true });
    const report = await rebuild(
      {
        archive: new S3Archive(stack.file.bucket, s3),
        store: new DynamoRebuildStore(
          stack.file.tables.state,
          new DynamoDossierStore(stack.file.tables.state, doc),
          doc,
        ),
        checkpoints: new FileRebuildCheckpoints(dataDir),
        rules: config.dossier,
        dayOf: vnDay,
        now: stack.clock.now,
      },
      {
        unitCode: UNIT,
        from: '2026-11-01',
        to: '2027-01-31',
        lookbackDays: 60,
        holdSeconds: 120,
        swap: false,
      },
    );
    expect(report.archiveObjects).toBeGreaterThan(0);
    expect(report.dossiers).toBe(new Set(events.map((e) => e.dossierCode)).size);
    expect(report).toMatchObject({
      differences: [],
      dossierStatesToReplace: 0,
      statesTouchingOtherMonths: 0,
    });
  });
});
