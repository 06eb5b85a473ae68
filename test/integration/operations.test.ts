import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterQueue } from '../../cli/commands.ts';
import { freePort } from '../../local/servers.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoFailureLog } from '../../shared/adapters/dynamo-failure-log.ts';
import { DynamoKeyStore } from '../../shared/adapters/dynamo-key-store.ts';
import { DynamoRebuildStore } from '../../shared/adapters/dynamo-rebuild-store.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { FileRebuildCheckpoints } from '../../shared/adapters/file-rebuild-checkpoints.ts';
import { loadKeyPepper } from '../../shared/adapters/key-pepper.ts';
import { S3Archive } from '../../shared/adapters/s3-archive.ts';
import { rotateKey } from '../../shared/app/keys.ts';
import { rebuild } from '../../shared/app/rebuild.ts';
import * as units from '../../shared/app/units.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import { loadSettings, settings } from '../../shared/config/settings.ts';
import { issueKey } from '../../shared/domain/auth/api-keys.ts';
import type { CounterDifference } from '../../shared/domain/operations/rebuild.ts';
import { addDays, dayOf } from '../../shared/domain/time.ts';
import type { LatestSnapshot, UnitRow } from '../../shared/schemas/snapshot.ts';
import { type CounterMap, expectedCounters, storedCounters } from '../../simulator/model.ts';
import {
  apiEvent,
  generateStream,
  pastStream as shiftToPast,
  type UnitEvent,
} from '../helpers/dossier-streams.ts';
import { emc as run } from '../helpers/emc.ts';
import { credentials, dynamoClients, region, scanAll } from '../helpers/local-aws.ts';

const config = loadSettings({});
/** The stack's clock starts mid-month, so no figure here depends on the day the suite runs. */
const START = Date.parse('2026-11-18T10:00:00+07:00');
const now = (): number => stack.clock.now();
const dataDir = mkdtempSync(join(tmpdir(), 'emc-ops-'));
let stack: Stack;
let doc: DynamoDBDocumentClient;
let raw: ReturnType<typeof dynamoClients>['raw'];
let sqs: SQSClient;
let s3: S3Client;
let ops: units.UnitOps;
let keyStore: DynamoKeyStore;
const keysByUnit = new Map<string, string>();
const sent: UnitEvent[] = [];

const vnDay = (ms: number): string => dayOf(ms, config.time.utcOffsetMinutes);
const target = () => ({
  kind: 'local' as const,
  url: stack.url,
  tables: stack.file.tables,
  bucket: stack.file.bucket,
  queues: stack.file.queues,
  clock: now,
});

function pastStream(seed: number, unitCodes: string[], dossiers: number): UnitEvent[] {
  return shiftToPast(generateStream(seed, { units: unitCodes, dossiers, viaApi: true }), now());
}

async function post(path: string, key: string, body: unknown): Promise<Response> {
  return fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Sends through the HTTP API, `perRequest` events a request; returns the number of requests. */
async function send(events: readonly UnitEvent[], record = true, perRequest = 200): Promise<number> {
  let requests = 0;
  for (const unitCode of new Set(events.map((e) => e.unitCode))) {
    const own = events.filter((e) => e.unitCode === unitCode).map(apiEvent);
    for (let start = 0; start < own.length; start += perRequest) {
      requests++;
      const response = await post('/v1/dossier-events', keysByUnit.get(unitCode) ?? '', {
        events: own.slice(start, start + perRequest),
      });
      expect(response.status, (await response.clone().text()).slice(0, 500)).toBe(202);
      const accepted = (await response.json()) as { accepted: number; rejected: unknown[] };
      expect(accepted.rejected, JSON.stringify(accepted.rejected).slice(0, 500)).toEqual([]);
    }
  }
  if (record) sent.push(...events);
  return requests;
}

async function issue(unitCode: string): Promise<string> {
  const { key, record } = issueKey(process.env.EMC_KEY_PEPPER ?? '', unitCode, now());
  await keyStore.put(record);
  keysByUnit.set(unitCode, key);
  return key;
}

function only(map: CounterMap, unitCode: string): CounterMap {
  return new Map([...map].filter(([key]) => key.startsWith(`${unitCode}|`)));
}

/** The live counters: folded first, as an evaluation would, since pending deltas are part of them. */
async function stored(unitCode: string): Promise<CounterMap> {
  await rebuildDeps().store.settle(unitCode);
  const items = await scanAll(raw, stack.file.tables.state);
  return only(storedCounters(items), unitCode);
}

async function latest(path = 'snapshots/latest.json'): Promise<LatestSnapshot> {
  const response = await fetch(`${stack.url}/${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as LatestSnapshot;
}

const row = (snapshot: LatestSnapshot, unitCode: string): UnitRow | undefined =>
  snapshot.units.find((r) => r.unitCode === unitCode);

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function rebuildDeps() {
  return {
    archive: new S3Archive(stack.file.bucket, s3),
    store: new DynamoRebuildStore(
      stack.file.tables.state,
      new DynamoDossierStore(stack.file.tables.state, doc),
      doc,
    ),
    checkpoints: new FileRebuildCheckpoints(dataDir),
    rules: config.dossier,
    dayOf: vnDay,
    now,
  };
}

beforeAll(async () => {
  const ports = { dynamodb: await freePort(), s3: await freePort(), sqs: await freePort() };
  stack = await startStack({
    dataDir,
    ports,
    // A held unit's messages reach the DLQ after two receives; the visibility timeout outlasts the processing
    // of a 200-event message on a loaded machine, which a second and third receive would dead-letter although
    // it was counted.
    maxReceiveCount: 2,
    visibilityTimeoutSeconds: 8,
    clock: ShiftedClock.startingAt(START),
  });
  ({ raw, doc } = dynamoClients(stack.file.dynamodb));
  sqs = new SQSClient({ endpoint: stack.file.sqs, region, credentials });
  s3 = new S3Client({ endpoint: stack.file.s3, region, credentials, forcePathStyle: true });
  keyStore = new DynamoKeyStore(stack.file.tables.keys, doc);
  ops = { registry: new DynamoRegistry(stack.file.tables.state, doc), keys: keyStore, now };
  await units.importUnits(ops, [
    { unitCode: 'H02', name: 'Hà Giang', kind: 'province', systems: ['tthc'] },
    { unitCode: 'H05', name: 'Tuyên Quang', kind: 'province', systems: ['tthc'] },
    { unitCode: 'G12', name: 'Bộ Tài nguyên và Môi trường', kind: 'ministry', systems: ['tthc'] },
    { unitCode: 'H48', name: 'Đồng Nai', kind: 'province', systems: ['tthc'] },
  ]);
  for (const unitCode of ['H02', 'H05', 'G12']) await issue(unitCode);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('operating the pipeline through the emc commands, on the local stack', () => {
  it('merges H02 into H05: later snapshots carry H02’s figures, earlier ones stay as they were', async () => {
    await send(pastStream(11, ['H02', 'H05'], 80));
    await stack.drained();
    const at = now();
    await stack.evaluateNow(at);
    const before = await latest();
    const dated = `snapshots/${before.generatedAt.replaceAll(':', '-')}/latest.json`;
    const model = expectedCounters(sent);
    const month = vnDay(at).slice(0, 7);
    const receivedBy = (code: string) => model.get(`${code}|${month}|U|received`) ?? 0;
    expect(row(before, 'H02')?.kpis.monthToDate.dossiersReceived).toBe(receivedBy('H02'));
    expect(row(before, 'H05')?.kpis.monthToDate.dossiersReceived).toBe(receivedBy('H05'));

    const mergeDay = addDays(vnDay(at), 1);
    const changed = await units.merge(ops, 'H05', ['H02'], mergeDay);
    expect(changed.map((u) => u.unitCode).sort()).toEqual(['H02', 'H05']);
    expect(await units.merge(ops, 'H05', ['H02'], mergeDay)).toEqual([]);
    expect((await keyStore.listForUnit('H02')).every((k) => k.retired?.successors[0] === 'H05')).toBe(true);

    // Data still sent under H02 after the merge is accepted (the default "remap" rule) and carried too.
    const late = pastStream(12, ['H02'], 10).map((e) => ({
      ...e,
      dossierCode: `L${e.dossierCode}`,
      eventId: `L${e.eventId}`,
    }));
    await send(late);
    await stack.drained();

    // As of a time before the merge day, the registry is as it was: two units, H05's figures its own.
    await stack.evaluateNow(at);
    const again = await latest();
    expect(row(again, 'H02')?.kpis.monthToDate.dossiersReceived).toBe(
      expectedCounters(sent).get(`H02|${month}|U|received`) ?? 0,
    );
    expect(row(again, 'H05')?.kpis).toEqual(row(before, 'H05')?.kpis);
    expect(row(again, 'H05')?.predecessors).toEqual([]);

    const afterMerge = Date.parse(`${mergeDay}T00:00:00+07:00`) + 3_600_000;
    await stack.evaluateNow(afterMerge);
    const merged = await latest();
    const all = expectedCounters(sent);
    expect(row(merged, 'H02')).toBeUndefined();
    const h05 = row(merged, 'H05');
    expect(h05?.predecessors).toEqual([
      { unitCode: 'H02', name: 'Hà Giang', retiredOn: mergeDay, whole: true },
    ]);
    const sum = (counter: string) =>
      (all.get(`H02|${month}|U|${counter}`) ?? 0) + (all.get(`H05|${month}|U|${counter}`) ?? 0);
    expect(h05?.kpis.yearToDate.dossiersReceived).toBe(sum('received'));
    expect(h05?.kpis.yearToDate.dossiersResolved).toBe(sum('resolved'));
    expect(h05?.kpis.yearToDate.onlineRate).toBeCloseTo(sum('receivedOnline') / sum('received'), 12);
    expect(merged.connection.registered).toBe(before.connection.registered - 1);

    // The dated snapshot published before the merge is untouched.
    expect(await latest(dated)).toEqual(before);
  }, 180_000);

  it('splits H05 by agency: each part carries the figures of the agencies it takes, through the merge', async () => {
    const splitDay = addDays(vnDay(now()), 2);
    for (const [unitCode, name] of [
      ['H64', 'Tỉnh A'],
      ['H65', 'Tỉnh B'],
    ] as const)
      await units.addUnit(ops, { unitCode, name, kind: 'province', systems: ['tthc'] }, splitDay);
    const fromH02 = [...new Set(sent.filter((e) => e.unitCode === 'H02').map((e) => e.agencyCode))];
    await units.split(ops, 'H05', [{ unitCode: 'H64', agencies: fromH02 }, { unitCode: 'H65' }], splitDay);

    await stack.evaluateNow(Date.parse(`${splitDay}T00:00:00+07:00`) + 3_600_000);
    const split = await latest();
    const model = expectedCounters(sent);
    const month = vnDay(now()).slice(0, 7);
    const own = (code: string, counter: string) => model.get(`${code}|${month}|U|${counter}`) ?? 0;
    expect(row(split, 'H05')).toBeUndefined();
    const h64 = row(split, 'H64');
    const h65 = row(split, 'H65');
    expect(h64?.predecessors?.map((p) => [p.unitCode, p.whole]).sort()).toEqual([
      ['H02', false],
      ['H05', false],
    ]);
    expect(h64?.kpis.yearToDate.dossiersReceived).toBe(own('H02', 'received'));
    expect(h64?.kpis.yearToDate.dossiersResolved).toBe(own('H02', 'resolved'));
    expect(h65?.kpis.yearToDate.dossiersReceived).toBe(own('H05', 'received'));
    expect(h65?.kpis.yearToDate.dossiersResolved).toBe(own('H05', 'resolved'));

    // The day before the split, H05 still carries everything.
    await stack.evaluateNow(Date.parse(`${splitDay}T00:00:00+07:00`) - 3_600_000);
    const before = await latest();
    expect(row(before, 'H64')).toBeUndefined();
    expect(row(before, 'H05')?.kpis.yearToDate.dossiersReceived).toBe(
      own('H02', 'received') + own('H05', 'received'),
    );
  }, 120_000);

  it('rotates a key with overlap: both keys work, then only the new one', async () => {
    const oldKey = await issue('H48');
    const heartbeat = { systemId: 'tthc', sentAt: new Date(now()).toISOString() };
    const rotated = await rotateKey(
      {
        store: keyStore,
        registry: ops.registry,
        pepper: () => loadKeyPepper(),
        utcOffsetMinutes: settings().time.utcOffsetMinutes,
      },
      'H48',
      4_000,
      now(),
    );
    expect((await post('/v1/heartbeats', oldKey, heartbeat)).status).toBe(202);
    expect((await post('/v1/heartbeats', rotated.key, heartbeat)).status).toBe(202);
    const listed = await keyStore.listForUnit('H48');
    expect(listed.find((k) => k.prefix === rotated.prefix)?.expiresAt).toBeUndefined();
    const expiry = rotated.expiring[0]?.expiresAt ?? 0;
    expect(listed.find((k) => k.prefix !== rotated.prefix)?.expiresAt).toBe(expiry);
    await until(async () => (await keyStore.listForUnit('H48')).every((k) => k.lastUsedAt !== undefined));
    // A second rotation with a longer overlap keeps the earlier expiry, and says so.
    const again = await rotateKey(
      {
        store: keyStore,
        registry: ops.registry,
        pepper: () => loadKeyPepper(),
        utcOffsetMinutes: settings().time.utcOffsetMinutes,
      },
      'H48',
      3_600_000,
      now(),
    );
    expect(again.expiring.find((k) => k.prefix !== rotated.prefix)?.expiresAt).toBe(expiry);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - now() + 100)));
    const refused = await post('/v1/heartbeats', oldKey, heartbeat);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toContain('expired');
    expect((await post('/v1/heartbeats', rotated.key, heartbeat)).status).toBe(202);
  }, 60_000);

  it('redrives dead letters, selected then all, without counting anything twice', async () => {
    const first = pastStream(21, ['G12'], 60);
    await send(first);
    await stack.drained();
    const model = only(expectedCounters(sent), 'G12');
    expect(await stored('G12')).toEqual(model);

    // While a rebuild holds G12, its messages fail until the DLQ takes them: new events and resent old ones.
    const store = rebuildDeps().store;
    const token = await store.hold('G12', now() + 600_000);
    const second = pastStream(22, ['G12'], 30).map((e) => ({
      ...e,
      dossierCode: `B${e.dossierCode}`,
      eventId: `B${e.eventId}`,
    }));
    const held = await send(second, true, 40);
    await send(first.slice(0, 40), false);
    const urls = stack.file.queues['dossier-events'];
    await sqs.send(new SendMessageCommand({ QueueUrl: urls?.url, MessageBody: 'not json' }));
    const dlqDepth = async () =>
      Number(
        (
          await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: urls?.dlqUrl,
              AttributeNames: ['ApproximateNumberOfMessages'],
            }),
          )
        ).Attributes?.ApproximateNumberOfMessages,
      );
    await until(async () => (await dlqDepth()) >= held + 1);
    await stack.drained();
    await store.release('G12', token);
    expect(await stored('G12')).toEqual(model);

    const dlq = deadLetterQueue(
      target(),
      'dossier-events',
      new DynamoFailureLog(stack.file.tables.state, doc),
    );
    const letters = await dlq.inspect();
    const poison = letters.filter((l) => !l.valid);
    expect(poison).toHaveLength(1);
    expect(poison[0]?.reason).toBe('body is not JSON');
    const valid = letters.filter((l) => l.valid);
    expect(valid).toHaveLength(held);
    for (const letter of valid) {
      expect(letter).toMatchObject({
        unitCode: 'G12',
        reason: expect.stringMatching(
          /^unit G12 is held by a rebuild .* safe to redrive once that is fixed$/,
        ),
      });
      expect(letter.receiveCount).toBeGreaterThanOrEqual(1);
    }

    const chosen = valid[0]?.messageId ?? '';
    const selected = await dlq.redrive((l) => l.messageId === chosen);
    expect(selected.redriven).toEqual([chosen]);
    expect(selected.left).toBe(letters.length - 1);
    await stack.drained();
    const all = await dlq.redrive(() => true);
    expect(all.redriven).toHaveLength(valid.length - 1);
    expect(all.stillInvalid).toEqual([poison[0]?.messageId]);
    await stack.drained();
    const expected = only(expectedCounters(sent), 'G12');
    expect(expected).not.toEqual(model);
    expect(await stored('G12')).toEqual(expected);

    // Redriving a copy of an already-counted message changes nothing.
    const copy = letters.find((l) => l.messageId === chosen)?.body ?? '';
    await sqs.send(new SendMessageCommand({ QueueUrl: urls?.dlqUrl, MessageBody: copy }));
    expect((await dlq.redrive((l) => l.valid)).redriven).toHaveLength(1);
    await stack.drained();
    expect(await stored('G12')).toEqual(expected);
    expect((await dlq.inspect()).map((l) => l.messageId)).toEqual([poison[0]?.messageId]);
  }, 180_000);

  it('rebuilds corrupted counters from the archive exactly, after comparing, and idempotently', async () => {
    const good = await stored('G12');
    const expected = only(expectedCounters(sent), 'G12');
    expect(good).toEqual(expected);
    const day = vnDay(Math.max(...sent.filter((e) => e.unitCode === 'G12').map((e) => e.receivedAt ?? 0)));
    const month = day.slice(0, 7);
    const agency = [...good.keys()].find((k) => k.startsWith(`G12|${month}|A#`))?.split('|')[2] ?? '';
    const procedure = [...good.keys()].find((k) => k.endsWith('|online'))?.split('|')[2] ?? '';
    const table = stack.file.tables.state;
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `C#G12#${day}`, sk: 'U' },
        UpdateExpression: 'ADD received :n',
        ExpressionAttributeValues: { ':n': 5 },
      }),
    );
    await doc.send(new DeleteCommand({ TableName: table, Key: { pk: `C#G12#${month}`, sk: agency } }));
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: { pk: `C#G12#${month}`, sk: 'A#000.00.99.G12', resolved: 3 },
      }),
    );
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `S#G12#${month.slice(0, 4)}`, sk: procedure },
        UpdateExpression: 'SET #m = :n',
        ExpressionAttributeNames: { '#m': `m${month.slice(5)}` },
        ExpressionAttributeValues: { ':n': 999 },
      }),
    );
    // A lost dossier state: without a rebuild, its next event would count the dossier a second time.
    const lost = sent.find((e) => e.unitCode === 'G12' && e.status === 10) as UnitEvent;
    await doc.send(
      new DeleteCommand({ TableName: table, Key: { pk: `D#G12#${lost.dossierCode}`, sk: '-' } }),
    );
    const corrupted = await stored('G12');
    const wanted: CounterDifference[] = [];
    for (const key of new Set([...good.keys(), ...corrupted.keys()])) {
      if ((good.get(key) ?? 0) === (corrupted.get(key) ?? 0)) continue;
      const [, period = '', scope = '', counter = ''] = key.split('|');
      const service = counter === 'online';
      wanted.push({
        kind: service ? 'service' : 'counter',
        period,
        agencyCode: service || scope === 'U' ? null : scope.slice(2),
        procedureCode: service ? scope : null,
        counter: service ? 'onlineDossiers' : counter,
        live: corrupted.get(key) ?? 0,
        rebuilt: good.get(key) ?? 0,
      });
    }
    expect(wanted.length).toBeGreaterThan(5);

    const options = {
      unitCode: 'G12',
      from: `${month}-01`,
      to: day,
      lookbackDays: 60,
      holdSeconds: 120,
    };
    const compared = await rebuild(rebuildDeps(), { ...options, swap: false });
    const key = (d: CounterDifference) =>
      `${d.kind}|${d.period}|${d.agencyCode}|${d.procedureCode}|${d.counter}`;
    expect(compared.differences.map(key).sort()).toEqual(wanted.map(key).sort());
    for (const difference of compared.differences)
      expect(difference).toEqual(wanted.find((w) => key(w) === key(difference)));
    expect(compared).toMatchObject({ dossierStatesToReplace: 1, statesTouchingOtherMonths: 0 });
    expect(await stored('G12')).toEqual(corrupted);

    const swapped = await rebuild(rebuildDeps(), { ...options, swap: true });
    expect(swapped.resumedFrom).toBe(compared.archiveObjects);
    expect(swapped.itemsWritten).toBeGreaterThan(0);
    expect(await stored('G12')).toEqual(expected);
    await send(
      sent.filter((e) => e.dossierCode === lost.dossierCode),
      false,
    );
    await stack.drained();
    expect(await stored('G12')).toEqual(expected);

    const again = await rebuild(rebuildDeps(), { ...options, swap: true });
    expect(again).toMatchObject({
      differences: [],
      dossierStatesToReplace: 0,
      statesTouchingOtherMonths: 0,
      itemsWritten: 0,
      resumedFrom: 0,
    });
    expect(await stored('G12')).toEqual(expected);
  }, 180_000);

  it('does the same through the emc command line', async () => {
    const emc = (...args: string[]) => run(dataDir, args, 60_000);
    const history = await emc('units', 'history', 'H05');
    expect(history.status, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/absorbed\tabsorbed H02/);
    const keys = await emc('keys', 'list', 'H48', '--json');
    expect(JSON.parse(keys.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ unitCode: 'H48', lastUsedAt: expect.any(Number) })]),
    );
    expect(keys.stdout).not.toMatch(/hash/);
    const letters = await emc('dlq', 'inspect', '--json');
    expect(letters.status, letters.stderr).toBe(0);
    expect(JSON.parse(letters.stdout)).toEqual([
      expect.objectContaining({ valid: false, reason: 'body is not JSON' }),
    ]);
    const month = vnDay(now()).slice(0, 7);
    const rebuildG12 = (...flags: string[]) =>
      emc(
        'rebuild',
        'G12',
        '--from',
        `${month}-01`,
        '--to',
        `${month}-01`,
        '--lookback-days',
        '60',
        ...flags,
      );
    const compared = await rebuildG12('--json');
    expect(compared.status, compared.stderr).toBe(0);
    expect(JSON.parse(compared.stdout)).toMatchObject({ differences: [], swapped: false });
    const widened = await rebuildG12('--swap', '--widen', '--json');
    expect(widened.status, widened.stderr).toBe(0);
    expect(JSON.parse(widened.stdout)).toMatchObject({
      monthsOutsideRange: [],
      swapped: true,
      itemsWritten: 0,
    });
    // The CLI follows the stack's clock by default, and its own with --now.
    const following = await emc('evaluate', '--json');
    expect(following.status, following.stderr).toBe(0);
    const followedAt = Date.parse((JSON.parse(following.stdout) as { asOf: string }).asOf);
    expect(Math.abs(followedAt - now())).toBeLessThan(120_000);
    const own = await emc('evaluate', '--json', '--now', '2026-11-30T23:58:00+07:00');
    expect(own.status, own.stderr).toBe(0);
    expect((JSON.parse(own.stdout) as { asOf: string }).asOf).toMatch(/^2026-11-30T16:5[89]/);
    const refused = await emc('units', 'merge', '--into', 'H05', 'H05');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('cannot be merged into itself');
  }, 120_000);

  it('voids and restores dossiers through the command line, with a dry run first, and shows the voiding', async () => {
    const emc = (...args: string[]) => run(dataDir, args, 60_000, { EMC_OPERATOR: 'ops-on-duty' });
    const received = [
      ...new Set(sent.filter((e) => e.unitCode === 'G12' && e.status === 2).map((e) => e.dossierCode)),
    ];
    const chosen = received.slice(0, 2);
    expect(chosen).toHaveLength(2);
    const all = only(expectedCounters(sent), 'G12');
    const without = only(expectedCounters(sent.filter((e) => !chosen.includes(e.dossierCode))), 'G12');
    expect(await stored('G12')).toEqual(all);
    const reason = ['--reason', 'test data sent from the staging sender'];

    const noReason = await emc('dossiers', 'void', 'G12', ...chosen);
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toContain('needs --reason');
    const dry = await emc('dossiers', 'void', 'G12', ...chosen, ...reason, '--dry-run', '--json');
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, changed: chosen, transactions: 0 });
    expect(await stored('G12')).toEqual(all);

    const voided = await emc('dossiers', 'void', 'G12', ...chosen, ...reason);
    expect(voided.status, voided.stderr).toBe(0);
    expect(voided.stdout).toContain(`voided 2 dossier(s) of unit G12: ${chosen.join(' ')}`);
    expect(await stored('G12')).toEqual(without);
    const again = await emc('dossiers', 'void', 'G12', ...chosen, ...reason);
    expect(again.stdout).toContain(`already voided, left alone: ${chosen.join(' ')}`);
    expect(await stored('G12')).toEqual(without);
    const [record] = await new DynamoDossierStore(stack.file.tables.state, doc).voidRecords('G12');
    expect(record).toMatchObject({
      by: 'ops-on-duty',
      reason: 'test data sent from the staging sender',
      status: 'voided',
    });

    const doctored = await emc('doctor', 'G12', '--json');
    expect(doctored.status, doctored.stderr).toBe(0);
    const [report] = JSON.parse(doctored.stdout) as {
      setAside: { byReason: { kind: string; count: number }[] };
    }[];
    expect(report?.setAside.byReason).toContainEqual({
      kind: 'voided',
      reason: 'test data sent from the staging sender',
      count: 2,
    });

    const restored = await emc(
      'dossiers',
      'restore',
      'G12',
      ...chosen,
      '--reason',
      'sent in error: the data was real',
    );
    expect(restored.status, restored.stderr).toBe(0);
    expect(await stored('G12')).toEqual(all);
    const unknown = await emc('dossiers', 'void', 'G12', 'NO-SUCH', ...reason);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('has no dossier NO-SUCH');
  }, 180_000);

  it('reports reconciliation differences exactly, per day and figure', async () => {
    const { reconcileUnit } = await import('../../cli/commands.ts');
    const counted = only(expectedCounters(sent), 'G12');
    const days = [
      ...new Set([...counted.keys()].map((k) => k.split('|')[1] ?? '').filter((p) => p.length === 10)),
    ].sort();
    const [d1 = '', d2 = ''] = days.slice(-2);
    const at = (d: string, counter: string) => counted.get(`G12|${d}|U|${counter}`) ?? 0;
    const report = {
      days: [
        {
          date: d1,
          received: at(d1, 'received') + 3,
          receivedOnline: at(d1, 'receivedOnline'),
          resolved: at(d1, 'resolved'),
          resolvedOnTime: at(d1, 'resolvedOnTime'),
        },
        {
          date: d2,
          received: at(d2, 'received'),
          receivedOnline: at(d2, 'receivedOnline'),
          // More resolved than counted, so the day stays consistent (on time never above resolved).
          resolved: at(d2, 'resolved') + 2,
          resolvedOnTime: at(d2, 'resolvedOnTime'),
        },
      ],
    };
    expect((await post('/v1/daily-totals', keysByUnit.get('G12') ?? '', report)).status).toBe(202);
    await stack.drained();
    const rows = await reconcileUnit(target(), 'G12', d1, d2);
    expect(rows).toHaveLength(8);
    for (const r of rows) {
      const reported = report.days.find((d) => d.date === r.date)?.[r.figure] ?? -1;
      expect(r).toMatchObject({
        reported,
        counted: at(r.date, r.figure),
        difference: reported - at(r.date, r.figure),
      });
    }
    expect(rows.filter((r) => r.difference !== 0).map((r) => [r.date, r.figure, r.difference])).toEqual([
      [d1, 'received', 3],
      [d2, 'resolved', 2],
    ]);
  }, 60_000);

  it('compacts the archive through the emc command line: one object per unit and day, every event kept, nothing to rebuild', async () => {
    const emc = (...args: string[]) => run(dataDir, args, 60_000);
    const archive = new S3Archive(stack.file.bucket, s3);
    const archived = async (unitCode: string) => {
      const keys: string[] = [];
      const events: string[] = [];
      for await (const key of archive.listUnit(unitCode, '')) {
        keys.push(key);
        for (const event of (await archive.readEvents(key)) ?? []) events.push(JSON.stringify(event));
      }
      return { keys, events: events.sort(), days: new Set(keys.map((key) => key.split('/')[3])) };
    };
    const before = await archived('G12');
    // Every day of G12 is in the archive as more than one batch, so the run has something to merge.
    expect(before.keys.length).toBeGreaterThan(before.days.size);
    // At 08:00 the next morning in Hà Nội, every day the archive holds so far is closed.
    const tomorrow = `${addDays(vnDay(now()), 1)}T08:00:00+07:00`;
    const first = await emc('archive', 'compact', '--json', '--now', tomorrow);
    expect(first.status, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as {
      unitDays: {
        unitCode: string;
        day: string;
        linesRead: number;
        linesWritten: number;
        written?: string;
        removed: number;
      }[];
    };
    const g12 = report.unitDays.filter((unitDay) => unitDay.unitCode === 'G12' && unitDay.written);
    expect(new Set(g12.map((unitDay) => unitDay.day))).toEqual(before.days);
    expect(g12.reduce((sum, unitDay) => sum + unitDay.removed, 0)).toBe(before.keys.length);

    const after = await archived('G12');
    expect(after.keys).toHaveLength(before.days.size);
    expect(after.days).toEqual(before.days);
    // Every distinct event is kept; only lines archived twice exactly (a batch delivered twice) are dropped,
    // while an event resent later is a line of its own, with its own acceptance time.
    expect(new Set(after.events)).toEqual(new Set(before.events));
    const dropped = g12.reduce((sum, unitDay) => sum + unitDay.linesRead - unitDay.linesWritten, 0);
    expect(after.events).toHaveLength(before.events.length - dropped);

    const again = await emc('archive', 'compact', '--json', '--now', tomorrow);
    expect(again.status, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as typeof report).unitDays.filter((unitDay) => unitDay.written)).toEqual(
      [],
    );
    expect((await archived('G12')).keys).toEqual(after.keys);

    const month = vnDay(now()).slice(0, 7);
    const compared = await emc(
      'rebuild',
      'G12',
      '--from',
      `${month}-01`,
      '--to',
      `${month}-01`,
      '--lookback-days',
      '60',
      '--json',
    );
    expect(compared.status, compared.stderr).toBe(0);
    expect(JSON.parse(compared.stdout)).toMatchObject({ differences: [], dossierStatesToReplace: 0 });
  }, 180_000);
});
