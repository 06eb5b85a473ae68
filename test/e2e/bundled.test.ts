import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledEntries } from '../../local/bundles.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { DynamoKeyStore } from '../../shared/adapters/dynamo-key-store.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import { issueKey } from '../../shared/domain/auth/api-keys.ts';
import { latestSnapshotSchema } from '../../shared/schemas/snapshot.ts';
import { topology } from '../../shared/topology.ts';

/**
 * The deployed artefacts, not the sources: `cdk synth` bundles every function with esbuild, and the local
 * stack runs those bundles (`npm start -- --bundled`). A heartbeat goes in through the bundled ingest
 * function, the bundled worker records it, and `GET /v1/me` answers from the bundled describe function.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cdkOut = mkdtempSync(join(tmpdir(), 'emc-cdk-out-'));
const dataDir = mkdtempSync(join(tmpdir(), 'emc-bundled-'));
let stack: Stack;

beforeAll(async () => {
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', cdkOut], {
    cwd: root,
    encoding: 'utf8',
    timeout: 280_000,
  });
  expect(synth.status, synth.stderr).toBe(0);
  stack = await startStack({
    dataDir,
    bundled: cdkOut,
    clock: ShiftedClock.startingAt(Date.parse('2026-11-18T10:00:00+07:00')),
  });
  await new DynamoRegistry(stack.file.tables.state).putUnit({
    unitCode: 'H48',
    name: 'Khánh Hòa',
    kind: 'province',
    systems: ['tthc'],
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(cdkOut, { recursive: true, force: true });
});

describe('npm start -- --bundled', () => {
  it('finds a bundle for every function of the topology manifest', () => {
    const names = [
      ...topology.ingest,
      ...Object.values(topology.workers),
      topology.evaluation,
      topology.compaction,
    ].map((f) => f.name);
    expect([...bundledEntries(cdkOut).keys()].sort()).toEqual(names.sort());
  });

  it('takes a heartbeat through the bundled ingest and worker, and the bundled /v1/me reports it', async () => {
    const { key, record } = issueKey(process.env.EMC_KEY_PEPPER ?? '', 'H48', stack.clock.now());
    await new DynamoKeyStore(stack.file.tables.keys).put(record);
    const before = stack.clock.now();
    const sent = await fetch(`${stack.url}/v1/heartbeats`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ systemId: 'tthc', sentAt: new Date(stack.clock.now()).toISOString() }),
    });
    expect(sent.status).toBe(202);
    const after = stack.clock.now();
    await stack.drained();
    expect(stack.mappings.heartbeats.records).toBe(1);
    expect(stack.mappings.heartbeats.failures).toBe(0);

    await stack.evaluateNow();
    const latest = latestSnapshotSchema.parse(
      await (await fetch(`${stack.url}/snapshots/latest.json`)).json(),
    );
    const row = latest.units.find((unit) => unit.unitCode === 'H48');
    const heard = Date.parse(row?.connection.lastHeartbeatAt ?? '');
    expect(heard).toBeGreaterThanOrEqual(before - 1_000);
    expect(heard).toBeLessThanOrEqual(after + 1_000);

    const me = await fetch(`${stack.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);
  }, 120_000);

  it('answers a refusal from the bundled edge with the same problem type', async () => {
    const response = await fetch(`${stack.url}/v1/heartbeats`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: 'urn:emc:problem:unauthorized' });
  });
});
