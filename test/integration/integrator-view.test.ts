import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../../cli/doctor.ts';
import { freePort } from '../../local/servers.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoKeyStore } from '../../shared/adapters/dynamo-key-store.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { loadKeyPepper } from '../../shared/adapters/key-pepper.ts';
import { voidDossiers } from '../../shared/app/dossiers.ts';
import { rotateKey } from '../../shared/app/keys.ts';
import * as units from '../../shared/app/units.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import { settings } from '../../shared/config/settings.ts';
import { issueKey } from '../../shared/domain/auth/api-keys.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import type { SenderProfileName } from '../../shared/schemas/legacy-emc.ts';
import { type Me, meSchema } from '../../shared/schemas/me.ts';
import { credentials, dynamoClients, region, scanAll } from '../helpers/local-aws.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'emc-integrator-'));
let stack: Stack;
let raw: ReturnType<typeof dynamoClients>['raw'];
let sqs: SQSClient;
let s3: S3Client;
let keyStore: DynamoKeyStore;
let registry: DynamoRegistry;
let doc: ReturnType<typeof dynamoClients>['doc'];

async function issue(unitCode: string, sender?: SenderProfileName): Promise<string> {
  const { key, record } = issueKey(process.env.EMC_KEY_PEPPER ?? '', unitCode, stack.clock.now(), sender);
  await keyStore.put(record);
  return key;
}

function request(
  method: string,
  path: string,
  key: string,
  body?: string,
  contentType = 'application/json',
): Promise<Response> {
  return fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    ...(body === undefined ? {} : { body }),
  });
}

async function me(key: string, query = ''): Promise<{ status: number; text: string; body?: Me }> {
  const response = await fetch(`${stack.url}/v1/me${query}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await response.text();
  return response.status === 200
    ? { status: 200, text, body: meSchema.parse(JSON.parse(text)) }
    : { status: response.status, text };
}

/** Items in every table, messages in every queue and DLQ, objects in the bucket. */
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  // A dry run is rate-limited like a real call, so it may claim a one-second rate window (expiring by
  // itself); that is the limiter's bookkeeping, not the unit's data.
  for (const [name, table] of Object.entries(stack.file.tables))
    if (name !== 'rate') out[`table ${name}`] = (await scanAll(raw, table)).length;
  for (const [feed, urls] of Object.entries(stack.file.queues)) {
    for (const [kind, url] of [
      ['queue', urls.url],
      ['dlq', urls.dlqUrl],
    ] as const) {
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      out[`${kind} ${feed}`] =
        Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    }
  }
  let objects = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: stack.file.bucket, ContinuationToken: token }),
    );
    objects += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  out.objects = objects;
  return out;
}

const nowIso = (): string => new Date(stack.clock.now()).toISOString().replace('Z', '+00:00');
/** One time for both fields: two clock reads a millisecond apart would refuse receivedAt after occurredAt. */
const event = (eventId: string, overrides: Record<string, unknown> = {}, at = nowIso()) => ({
  eventId,
  dossierCode: `000.00.10.H48-261120-${eventId}`,
  procedureCode: '1.001234',
  agencyCode: '000.00.10.H48',
  status: 2,
  channel: 2,
  onlineLevel: 'full',
  occurredAt: at,
  receivedAt: at,
  ...overrides,
});

beforeAll(async () => {
  const ports = { dynamodb: await freePort(), s3: await freePort(), sqs: await freePort() };
  stack = await startStack({
    dataDir,
    ports,
    visibilityTimeoutSeconds: 1,
    clock: ShiftedClock.startingAt(Date.parse('2026-11-18T10:00:00+07:00')),
  });
  const clients = dynamoClients(stack.file.dynamodb);
  raw = clients.raw;
  doc = clients.doc;
  sqs = new SQSClient({ endpoint: stack.file.sqs, region, credentials });
  s3 = new S3Client({ endpoint: stack.file.s3, region, credentials, forcePathStyle: true });
  keyStore = new DynamoKeyStore(stack.file.tables.keys, clients.doc);
  registry = new DynamoRegistry(stack.file.tables.state, clients.doc);
  await units.importUnits({ registry, keys: keyStore, now: stack.clock.now }, [
    {
      unitCode: 'H48',
      name: 'Đồng Nai',
      kind: 'province',
      systems: ['tthc', 'portal'],
      agencies: [{ agencyCode: '000.00.10.H48', name: 'Sở 1', level: 'province-department' }],
    },
    { unitCode: 'H49', name: 'Long An', kind: 'province', systems: ['tthc'] },
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('dry runs on the local stack', () => {
  it('leave every table, queue and bucket as they were, on every write endpoint', async () => {
    const key = await issue('H48');
    // One real heartbeat first, so the worker and archive have run and the baseline is not all zeros.
    expect(
      (await request('POST', '/v1/heartbeats', key, JSON.stringify({ systemId: 'tthc', sentAt: nowIso() })))
        .status,
    ).toBe(202);
    await stack.drained();
    const before = await counts();
    const dry = '?dryRun=true';
    const answers = await Promise.all([
      request('POST', `/v1/heartbeats${dry}`, key, JSON.stringify({ systemId: 'tthc', sentAt: nowIso() })),
      request(
        'POST',
        `/v1/dossier-events${dry}`,
        key,
        JSON.stringify({ events: [event('dry-1'), event('dry-2', { status: 11 })] }),
      ),
      request(
        'PUT',
        `/v1/catalog${dry}`,
        key,
        JSON.stringify({
          procedures: [
            { procedureCode: '1.001234', name: 'Cấp phép', onlineLevel: 'full', feeBearing: true },
          ],
        }),
      ),
      request(
        'POST',
        `/v1/daily-totals${dry}`,
        key,
        JSON.stringify({
          days: [{ date: '2026-11-22', received: 3, receivedOnline: 1, resolved: 2, resolvedOnTime: 2 }],
        }),
      ),
      fetch(`${stack.url}/v1/compat/emc/${key}/TrackingMCDT${dry}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'codeProfile=000.00.10.H48-261123-0042&codeTTHC=1.000494&status=1&formsReception=1&level=4',
      }),
      request(
        'POST',
        `/v1/dossier-events${dry}`,
        key,
        JSON.stringify({ events: [event('dry-3', { status: 11 })] }),
      ),
    ]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 200, 400]);
    for (const answer of answers.slice(0, 5)) expect(await answer.json()).toMatchObject({ dryRun: true });
    await stack.drained();
    expect(await counts()).toEqual(before);

    // The same comparison notices a real call.
    await request('POST', '/v1/heartbeats', key, JSON.stringify({ systemId: 'portal', sentAt: nowIso() }));
    await stack.drained();
    expect(await counts()).not.toEqual(before);
  }, 120_000);
});

describe('GET /v1/me', () => {
  it('counts exactly the refusals sent, by reason, with examples and never a body or a key', async () => {
    const key = await issue('H48');
    const events = [
      event('ok-1'),
      event('missing-1', { receivedAt: undefined }),
      event('missing-2', { channel: undefined }),
      event('missing-3', { onlineLevel: undefined }),
      event('bad-1', { status: 11 }),
      event('bad-2', { procedureCode: '9.9' }),
      event('future-1', { occurredAt: '2099-01-01T00:00:00+07:00', receivedAt: '2099-01-01T00:00:00+07:00' }),
    ];
    const batch = await request('POST', '/v1/dossier-events', key, JSON.stringify({ events }));
    expect(batch.status).toBe(202);
    expect((await request('POST', '/v1/dossier-events', key, '{"events": [')).status).toBe(400);
    const legacy = await fetch(`${stack.url}/v1/compat/emc/${key}/TrackingMCDT`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'codeProfile=000.00.10.H48-261123-0077&codeTTHC=9.9&status=1',
    });
    expect(legacy.status).toBe(400);
    const other = await request(
      'POST',
      '/v1/dossier-events',
      key,
      JSON.stringify({ events: [event('x', { agencyCode: '000.00.10.H49' })] }),
    );
    expect(other.status).toBe(403);

    const view = await me(key);
    expect(view.status).toBe(200);
    const byReason = Object.fromEntries(view.body?.refusals.byReason.map((r) => [r.reason, r.count]) ?? []);
    expect(byReason).toEqual({
      'missing-field': 3,
      'invalid-value': 3,
      'time-in-future': 1,
      'invalid-body': 1,
      'other-unit': 1,
    });
    expect(view.body?.refusals.total).toBe(9);
    const missing = view.body?.refusals.byReason.find((r) => r.reason === 'missing-field');
    expect(missing?.examples.map((e) => e.eventId).sort()).toEqual(['missing-1', 'missing-2', 'missing-3']);
    const invalid = view.body?.refusals.byReason.find((r) => r.reason === 'invalid-value');
    expect(invalid?.examples.map((e) => e.codeProfile ?? e.eventId).sort()).toEqual([
      '000.00.10.H48-261123-0077',
      'bad-1',
      'bad-2',
    ]);
    expect(view.text).not.toContain(key);
    expect(view.text).not.toContain(key.split('_')[2]);
    expect(view.text).not.toContain('"events"');
    expect(view.body?.connectionRules).toMatchObject({
      heartbeat: { expectedEverySeconds: 300, graceSeconds: 900 },
      dossierFeed: { silenceHours: 48 },
      catalog: { maxAgeDays: 30 },
      reconciliation: { lookbackDays: 7, todayExcluded: true },
      registeredSystems: ['tthc', 'portal'],
    });
  }, 60_000);

  it('shows the verdict and the time of the evaluation that published it', async () => {
    const key = await issue('H48');
    expect((await me(key)).body?.verdict).toBeNull();
    await stack.evaluateNow();
    const view = await me(key);
    const snapshot = (await (await fetch(`${stack.url}/snapshots/units/H48.json`)).json()) as {
      generatedAt: string;
      unit: { connection: { status: string } };
      connection: {
        heartbeats: { systemId: string; lastSeenAt: string | null; lateAt: string | null }[];
        lateAt: string | null;
      };
    };
    // The unit page's detail: each system's last heartbeat and the time it turns late, one grace later (at least
    // the 900 s grace; longer when two evaluation intervals are), and the earliest of those for the unit.
    const seen = view.body?.arrivals.lastHeartbeatBySystem ?? [];
    expect(seen).toHaveLength(2);
    expect(snapshot.connection.heartbeats.map((h) => [h.systemId, h.lastSeenAt])).toEqual(
      seen.map((h) => [h.systemId, h.lastSeenAt]),
    );
    const graces = snapshot.connection.heartbeats.map(
      (h) => Date.parse(h.lateAt ?? '') - Date.parse(h.lastSeenAt ?? ''),
    );
    expect(new Set(graces).size).toBe(1);
    expect(graces[0]).toBeGreaterThanOrEqual(900_000);
    expect(snapshot.connection.lateAt).toBe(
      new Date(Math.min(...seen.map((h) => Date.parse(h.lastSeenAt))) + (graces[0] ?? 0)).toISOString(),
    );
    expect(view.body?.verdict?.evaluatedAt).toBe(snapshot.generatedAt);
    expect(view.body?.verdict?.status).toBe(snapshot.unit.connection.status);
    expect(view.body?.arrivals.lastHeartbeatBySystem.map((h) => [h.systemId, h.registered])).toEqual([
      ['portal', true],
      ['tthc', true],
    ]);
  }, 60_000);

  it('gives the operator the same view through emc doctor, for every unit not fully connected', async () => {
    const target = {
      kind: 'local' as const,
      url: stack.url,
      tables: stack.file.tables,
      bucket: stack.file.bucket,
      queues: stack.file.queues,
      clock: stack.clock.now,
    };
    const reports = await doctor(target, [], stack.clock.now());
    expect(reports.map((r) => r.unitCode).sort()).toEqual(['H48', 'H49']);
    const h48 = reports.find((r) => r.unitCode === 'H48');
    const view = await me(await issue('H48'));
    expect(h48?.refusals).toEqual(view.body?.refusals);
    expect(h48?.status).toBe(view.body?.verdict?.status);
    expect(h48?.summary.vi).toContain('Đồng Nai (H48) chưa kết nối đầy đủ');
    expect(h48?.summary.en).toContain('PUT /v1/catalog');
  }, 60_000);

  it('names only the key’s unit: another unit’s key, a revoked key, a rotated key', async () => {
    const h49 = await issue('H49');
    const other = await me(h49, '?unitCode=H48');
    expect(other.status).toBe(200);
    expect(other.body?.unitCode).toBe('H49');
    expect(other.body?.refusals.total).toBe(0);
    expect(other.text).not.toContain('H48');

    const revoked = await issue('H48');
    await keyStore.revoke(revoked.split('_')[1] ?? '');
    expect((await me(revoked)).status).toBe(401);

    const old = await issue('H48');
    const rotated = await rotateKey(
      {
        store: keyStore,
        registry,
        pepper: () => loadKeyPepper(),
        utcOffsetMinutes: settings().time.utcOffsetMinutes,
      },
      'H48',
      2_000,
      stack.clock.now(),
    );
    const oldView = await me(old);
    expect(oldView.body?.key.prefix).toBe(old.split('_')[1]);
    expect(oldView.body?.key.expiresAt).not.toBeNull();
    const newView = await me(rotated.key);
    expect(newView.body?.key).toMatchObject({ prefix: rotated.prefix, expiresAt: null });
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect((await me(old)).status).toBe(401);
    expect((await me(rotated.key)).status).toBe(200);
    expect((await me(`emc_AAAAAAAAAAAA_${'A'.repeat(40)}`)).status).toBe(401);
  }, 60_000);

  it('counts, by reason, what was set aside after acceptance for the key’s unit only, and names the key’s sender', async () => {
    const h48 = await issue('H48', 'opencps');
    const h49 = await issue('H49');
    const before = (await me(h48)).body?.setAside.total ?? -1;
    expect(before).toBe(0);
    // Two accepted dossiers, counted, then voided by an operator.
    const sent = [event('void-1'), event('void-2'), event('kept-1')];
    expect((await request('POST', '/v1/dossier-events', h48, JSON.stringify({ events: sent }))).status).toBe(
      202,
    );
    // Messages that never passed ingest: one with an event the queue contract refuses (quarantined), one
    // whose envelope is poison (it goes to the dead-letter queue after its last delivery).
    const queueUrl = stack.file.queues['dossier-events']?.url ?? '';
    const envelope = {
      v: 1,
      kind: 'dossier-events',
      unitCode: 'H48',
      requestId: 'r-aside',
      acceptedAt: stack.clock.now(),
    };
    const bad = {
      ...event('aside-1'),
      occurredAt: stack.clock.now(),
      receivedAt: stack.clock.now(),
      dueAt: -1000,
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ ...envelope, events: [bad, { ...bad, eventId: 'aside-2' }] }),
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ ...envelope, requestId: 'r-poison', events: 'nope' }),
      }),
    );
    await stack.drained();
    const options = countOptions(settings());
    const voiding = await voidDossiers(
      {
        store: new DynamoDossierStore(stack.file.tables.state, doc),
        rules: options.rules,
        dayOf: options.dayOf,
        maxFootprint: options.maxFootprint,
      },
      {
        unitCode: 'H48',
        dossierCodes: [sent[0]?.dossierCode ?? '', sent[1]?.dossierCode ?? ''],
        reason: 'test data from the staging sender',
        by: 'operator-1',
        now: stack.clock.now(),
        dryRun: false,
      },
    );
    expect(voiding.changed).toHaveLength(2);

    const view = await me(h48);
    expect(view.body?.key.sender).toBe('opencps');
    const aside = view.body?.setAside;
    expect(aside?.total).toBe(5);
    expect(aside?.byReason.map((r) => [r.kind, r.count])).toEqual([
      ['quarantined', 2],
      ['voided', 2],
      ['dead-letter', 1],
    ]);
    expect(aside?.byReason.find((r) => r.kind === 'voided')?.reason).toBe(
      'test data from the staging sender',
    );
    expect(aside?.byReason.find((r) => r.kind === 'quarantined')?.reason).toContain('events[].dueAt');
    expect(aside?.byReason.find((r) => r.kind === 'dead-letter')?.reason).toContain(
      'does not match the queue contract',
    );

    // Another unit's key sees none of it; its key has no sender set.
    const other = await me(h49);
    expect(other.body?.setAside).toMatchObject({ total: 0, byReason: [] });
    expect(other.body?.key.sender).toBe('generic');
    expect(other.text).not.toContain('staging sender');
    // A revoked key sees nothing at all; the rotated-in key of the same unit sees the same counts.
    const revoked = await issue('H48');
    await keyStore.revoke(revoked.split('_')[1] ?? '');
    const refused = await me(revoked);
    expect(refused.status).toBe(401);
    expect(refused.text).not.toContain('staging sender');
    const rotated = await rotateKey(
      {
        store: keyStore,
        registry,
        pepper: () => loadKeyPepper(),
        utcOffsetMinutes: settings().time.utcOffsetMinutes,
      },
      'H48',
      60_000,
      stack.clock.now(),
    );
    expect((await me(rotated.key)).body?.setAside).toEqual(aside);
  }, 120_000);
});
