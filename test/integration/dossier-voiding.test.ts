import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoEvaluationReader } from '../../shared/adapters/dynamo-evaluation-reader.ts';
import { DynamoFailureLog } from '../../shared/adapters/dynamo-failure-log.ts';
import { DynamoRebuildStore } from '../../shared/adapters/dynamo-rebuild-store.ts';
import { FileRebuildCheckpoints } from '../../shared/adapters/file-rebuild-checkpoints.ts';
import { S3Archive } from '../../shared/adapters/s3-archive.ts';
import { type CounterChange, restoreDossiers, voidDossiers } from '../../shared/app/dossiers.ts';
import { OperationRefusedError } from '../../shared/app/errors.ts';
import { rebuild } from '../../shared/app/rebuild.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { processDossierEventBatch } from '../../shared/domain/worker/dossier-batch.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import type { DossierEventsMessage } from '../../shared/schemas/queue.ts';
import { type CounterMap, expectedCounters, storedCounters } from '../../simulator/model.ts';
import { generateStream, toMessages, type UnitEvent } from '../helpers/dossier-streams.ts';
import { type LocalAws, scanAll, startLocalAws } from '../helpers/local-aws.ts';

const options = countOptions(loadSettings({}));
const UNIT = 'H33';
/** The operator's clock, fixed: it is what the archive records. */
const NOW = Date.parse('2026-12-12T03:00:00Z');
let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

interface SentTransaction {
  items: number;
  keys: string[];
}

/** A fresh table and the worker and voiding deps over it; every TransactWriteItems sent is recorded raw. */
async function setup() {
  const { names, raw, doc } = await aws.tables();
  const transactions: SentTransaction[] = [];
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        const input = args.input as {
          TransactItems: Record<
            string,
            { TableName: string; Key?: Record<string, { S?: string }>; Item?: Record<string, { S?: string }> }
          >[];
        };
        transactions.push({
          items: input.TransactItems.length,
          keys: input.TransactItems.map((item) => {
            const [op] = Object.values(item);
            const key = op?.Key ?? op?.Item ?? {};
            return `${op?.TableName}|${key.pk?.S}|${key.sk?.S}`;
          }),
        });
      }
      return next(args);
    },
    { step: 'build', name: 'recordTransactions' },
  );
  const store = new DynamoDossierStore(names.state, doc, undefined, undefined, () => NOW);
  let sequence = 0;
  const deliver = async (messages: readonly DossierEventsMessage[]): Promise<void> => {
    const response = await processDossierEventBatch(
      messages.map((message) => ({
        messageId: `m-${sequence++}`,
        body: JSON.stringify(message),
        receiveCount: 1,
      })),
      {
        store,
        archive: new S3Archive(aws.bucket, aws.s3),
        setAside: new DynamoFailureLog(names.state, doc),
        options,
        onPoison: () => undefined,
        onFailure: () => undefined,
        clock: () => NOW,
      },
    );
    expect(response.failed).toEqual([]);
  };
  const deps = { store, rules: options.rules, dayOf: options.dayOf, maxFootprint: options.maxFootprint };
  const scan = () => scanAll(raw, names.state);
  const counters = async (): Promise<CounterMap> => {
    await store.fold(UNIT, 1);
    return storedCounters(await scan());
  };
  const reader = new DynamoEvaluationReader(names.state, store, doc);
  const rebuildDeps = {
    archive: new S3Archive(aws.bucket, aws.s3),
    store: new DynamoRebuildStore(names.state, store, doc),
    checkpoints: new FileRebuildCheckpoints(mkdtempSync(join(tmpdir(), 'emc-void-rebuild-'))),
    rules: options.rules,
    dayOf: options.dayOf,
    now: () => NOW,
  };
  return { deliver, deps, scan, counters, transactions, reader, store, rebuildDeps };
}

const request = (dossierCodes: readonly string[], dryRun = false) => ({
  unitCode: UNIT,
  dossierCodes,
  reason: 'test data sent from the staging sender',
  by: 'operator-1',
  now: NOW,
  dryRun,
});

/** Every dossier of the stream, in order, and the ones with a receipt (the only ones that count anything). */
function dossiersOf(events: readonly UnitEvent[]): string[] {
  return [...new Set(events.filter((e) => e.status === 2).map((e) => e.dossierCode))];
}

/** The counters the dry run says will move, in the model's key form, to compare with two model runs. */
function asCounterMap(changes: readonly CounterChange[]): CounterMap {
  const out: CounterMap = new Map();
  for (const change of changes) {
    const key =
      change.counter === 'onlineServiceDossiers'
        ? `${UNIT}|${change.period}|${change.procedureCode}|online`
        : `${UNIT}|${change.period}|${change.agencyCode === null ? 'U' : `A#${change.agencyCode}`}|${change.counter}`;
    out.set(key, change.by);
  }
  return out;
}

function difference(after: CounterMap, before: CounterMap): CounterMap {
  const out: CounterMap = new Map();
  for (const key of new Set([...after.keys(), ...before.keys()])) {
    const by = (after.get(key) ?? 0) - (before.get(key) ?? 0);
    if (by !== 0) out.set(key, by);
  }
  return out;
}

describe('emc dossiers void, against DynamoDB Local', () => {
  // Received over three weeks from 20 November: the counters span two months and many days and agencies.
  const events = generateStream(31, { dossiers: 140, units: [UNIT], agencies: 4, spanHours: 500 });
  const all = dossiersOf(events);
  const voided = all.filter((_, index) => index % 3 === 0);
  const kept = events.filter((event) => !voided.includes(event.dossierCode));

  it('takes exactly the voided dossiers out of every counter, in well-formed transactions, and again is a no-op', async () => {
    expect(voided.length).toBeGreaterThan(40);
    expect(
      new Set(events.map((e) => e.receivedAt && new Date(e.receivedAt).toISOString().slice(0, 7))).size,
    ).toBeGreaterThan(1);
    const t = await setup();
    await t.deliver(toMessages(events, 30));
    expect(await t.counters()).toEqual(expectedCounters(events));
    t.transactions.length = 0;

    const outcome = await voidDossiers(t.deps, request(voided));

    expect(outcome.changed.sort()).toEqual([...voided].sort());
    expect(outcome.unchanged).toEqual([]);
    expect(outcome.transactions).toBeGreaterThan(1);
    const truth = expectedCounters(kept);
    expect(await t.counters()).toEqual(truth);
    expect(asCounterMap(outcome.counterChanges)).toEqual(difference(truth, expectedCounters(events)));
    // Every transaction the voiding sent, its own and the folds after it: at most 100 items, no key twice.
    expect(t.transactions.length).toBeGreaterThan(outcome.transactions);
    for (const sent of t.transactions) {
      expect(sent.items).toBeLessThanOrEqual(100);
      expect(new Set(sent.keys).size).toBe(sent.keys.length);
    }

    // What the evaluation reads: unit and agency months, the unit's days.
    const months = ['2026-11', '2026-12'];
    const days = [
      ...new Set(
        kept
          .map((e) => e.receivedAt)
          .filter((at) => at !== undefined)
          .map((at) => options.dayOf(at)),
      ),
    ];
    const data = await t.reader.readUnit(UNIT, {
      asOf: NOW,
      unitDays: days,
      unitMonths: months,
      agencyDays: [],
      agencyMonths: months,
      year: '2026',
      totalsFrom: '2026-12-01',
      totalsTo: '2026-12-11',
    });
    for (const month of months) {
      expect(data.unitMonths.get(month)?.received ?? 0).toBe(truth.get(`${UNIT}|${month}|U|received`) ?? 0);
      expect(data.unitMonths.get(month)?.resolvedOnTime ?? 0).toBe(
        truth.get(`${UNIT}|${month}|U|resolvedOnTime`) ?? 0,
      );
    }
    for (const day of days)
      expect(data.unitDays.get(day)?.received ?? 0).toBe(truth.get(`${UNIT}|${day}|U|received`) ?? 0);

    const before = await t.scan();
    t.transactions.length = 0;
    const again = await voidDossiers(t.deps, request(voided));
    expect(again.changed).toEqual([]);
    expect(again.unchanged.sort()).toEqual([...voided].sort());
    expect(again.transactions).toBe(0);
    expect(t.transactions).toEqual([]);
    expect(await t.scan()).toEqual(before);
  });

  it('archives who, when, why and the last state of each voided dossier', async () => {
    const t = await setup();
    await t.deliver(toMessages(events, 50));
    const [first = ''] = voided;
    const stored = await t.store.load([{ unitCode: UNIT, dossierCode: first }]);
    await voidDossiers(t.deps, request([first]));
    const [record] = await t.store.voidRecords(UNIT);
    expect(record).toMatchObject({
      unitCode: UNIT,
      dossierCode: first,
      status: 'voided',
      at: NOW,
      by: 'operator-1',
      reason: 'test data sent from the staging sender',
      lastState: stored.get(`${UNIT}#${first}`)?.state,
      counted: stored.get(`${UNIT}#${first}`)?.contribution,
    });
    expect(record?.history).toEqual([
      { action: 'voided', at: NOW, by: 'operator-1', reason: 'test data sent from the staging sender' },
    ]);
  });

  it('keeps a voided dossier out of the counters when its events arrive again or later, until it is restored', async () => {
    const t = await setup();
    await t.deliver(toMessages(events, 40));
    await voidDossiers(t.deps, request(voided));
    // A resend of everything, plus a new event for a voided dossier: a rating after its result.
    const [target = ''] = voided;
    const last = events.filter((e) => e.dossierCode === target).at(-1);
    if (!last) throw new Error('no event for the voided dossier');
    const late: UnitEvent = {
      ...last,
      eventId: `${target}-late`,
      occurredAt: last.occurredAt + 3_600_000,
      satisfaction: 5,
    };
    await t.deliver(toMessages([...events, late], 40));
    expect(await t.counters()).toEqual(expectedCounters(kept));

    const restored = await restoreDossiers(t.deps, request(voided));
    expect(restored.changed.sort()).toEqual([...voided].sort());
    expect(await t.counters()).toEqual(expectedCounters([...events, late]));
    const [record] = (await t.store.voidRecords(UNIT)).filter((r) => r.dossierCode === target);
    expect(record?.status).toBe('restored');
    expect(record?.history.map((step) => step.action)).toEqual(['voided', 'restored']);
  });

  it('on a dry run reports every counter that would move and writes nothing', async () => {
    const t = await setup();
    await t.deliver(toMessages(events, 50));
    await t.store.fold(UNIT, 1);
    const before = await t.scan();
    t.transactions.length = 0;
    const outcome = await voidDossiers(t.deps, request(voided, true));
    expect(outcome.dryRun).toBe(true);
    expect(outcome.changed.sort()).toEqual([...voided].sort());
    expect(asCounterMap(outcome.counterChanges)).toEqual(
      difference(expectedCounters(kept), expectedCounters(events)),
    );
    expect(t.transactions).toEqual([]);
    expect(await t.scan()).toEqual(before);
  });

  it('refuses a list with an unknown dossier code, or no reason, before writing anything', async () => {
    const t = await setup();
    await t.deliver(toMessages(events, 50));
    await t.store.fold(UNIT, 1);
    const before = await t.scan();
    await expect(voidDossiers(t.deps, request([voided[0] ?? '', 'NO-SUCH-DOSSIER']))).rejects.toThrow(
      /no dossier NO-SUCH-DOSSIER; nothing was voided/,
    );
    await expect(voidDossiers(t.deps, { ...request(voided), reason: '  ' })).rejects.toBeInstanceOf(
      OperationRefusedError,
    );
    expect(await t.scan()).toEqual(before);
  });

  it('stays out of the counters through a rebuild from the archive, which leaves the voided dossiers alone', async () => {
    const t = await setup();
    await t.deliver(toMessages(events, 50));
    await voidDossiers(t.deps, request(voided));
    const options = {
      unitCode: UNIT,
      from: '2026-11-01',
      to: '2026-12-31',
      lookbackDays: 30,
      holdSeconds: 60,
    };
    const compared = await rebuild(t.rebuildDeps, { ...options, swap: false });
    expect(compared.dossiers).toBeGreaterThanOrEqual(all.length);
    expect(compared.differences).toEqual([]);
    expect(compared.dossierStatesToReplace).toBe(0);
    await rebuild(t.rebuildDeps, { ...options, swap: true });
    expect(await t.counters()).toEqual(expectedCounters(kept));
    const again = await voidDossiers(t.deps, request(voided));
    expect(again.unchanged.sort()).toEqual([...voided].sort());
  });
});
