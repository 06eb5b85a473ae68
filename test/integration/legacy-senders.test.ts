import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/servers.ts';
import { type Stack, startStack } from '../../local/stack.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { addDays, dayOf } from '../../shared/domain/time.ts';
import type { LatestSnapshot, UnitRow, UnitSnapshot } from '../../shared/schemas/snapshot.ts';
import {
  dotNetJson,
  openCpsHandBuilt,
  type SenderRequest,
  type TrueDossier,
} from '../../simulator/senders.ts';

const config = loadSettings({});
const dataDir = mkdtempSync(join(tmpdir(), 'emc-legacy-'));
const HOUR = 3_600_000;
let stack: Stack;

/** The emc command line against this stack, asynchronously so the stack's servers keep answering. */
const emc = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'npx',
      ['tsx', 'cli/emc.ts', ...args],
      { env: { ...process.env, EMC_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

/** Sends one record as the vendor's job does; a 429 is sent again after its Retry-After, as a later run would. */
async function post(key: string, request: SenderRequest): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${stack.url}/v1/compat/emc/${key}/TrackingMCDT`, {
      method: 'POST',
      headers: { 'content-type': request.contentType },
      body: request.body,
    });
    const text = await response.text();
    if (response.status === 429 && attempt < 20) {
      await new Promise((resolve) =>
        setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)),
      );
      continue;
    }
    expect(response.status, text).toBe(204);
    return response.status;
  }
}

async function read<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.url}/${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** Dossiers received on each of the last 14 days (a backfill), each then processed and half resolved. */
function dossiers(unitCode: string, today: string): { truth: TrueDossier; lifecycle: number[] }[] {
  return Array.from({ length: 28 }, (_, i) => {
    const day = addDays(today, -(i % 14));
    return {
      truth: {
        dossierCode: `000.00.10.${unitCode}-${day.slice(2).replaceAll('-', '')}-${String(i).padStart(4, '0')}`,
        procedureCode: `1.00${1000 + (i % 5)}`,
        procedureName: 'Thủ tục',
        status: 2,
        channel: i % 3 === 0 ? 1 : 2,
        onlineLevel: 'full',
        paid: i % 4 === 0 ? 'online' : undefined,
        resultByPost: i % 5 === 0,
        fromNationalPortal: false,
        officer: 'canbo01',
      },
      lifecycle: i % 2 === 0 ? [2, 4, 9, 10] : [2, 4],
    };
  });
}

beforeAll(async () => {
  const ports = { dynamodb: await freePort(), s3: await freePort(), sqs: await freePort() };
  stack = await startStack({
    dataDir,
    ports,
    maxReceiveCount: 2,
    visibilityTimeoutSeconds: 1,
    clock: ShiftedClock.startingAt(Date.parse('2026-11-18T10:00:00+07:00')),
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a unit whose only integration is a legacy sender, on the local stack', () => {
  it('becomes fully connected by changing its sender’s URL, and is interrupted when its feed stops', async () => {
    for (const [code, sender] of [
      ['H70', 'opencps'],
      ['H71', 'dichvucong-dotnet'],
    ] as const) {
      const added = await emc(
        'units',
        'add',
        code,
        '--name',
        `Tỉnh ${code}`,
        '--kind',
        'province',
        '--sender',
        sender,
      );
      expect(added.status, added.stderr).toBe(0);
    }
    const file = join(dataDir, 'units.json');
    writeFileSync(file, JSON.stringify([{ unitCode: 'H72', name: 'Tỉnh H72', kind: 'province' }]));
    const imported = await emc('units', 'import', file, '--sender', 'dichvucong-dotnet');
    expect(imported.status, imported.stderr).toBe(0);
    const registered = JSON.parse((await emc('units', 'list', '--json')).stdout) as {
      unitCode: string;
      sender?: string;
    }[];
    expect(registered.map((u) => [u.unitCode, u.sender])).toEqual([
      ['H70', 'opencps'],
      ['H71', 'dichvucong-dotnet'],
      ['H72', 'dichvucong-dotnet'],
    ]);
    const refused = await emc('units', 'add', 'H73', '--name', 'X', '--kind', 'province', '--sender', 'vnpt');
    expect(refused.stderr).toMatch(
      /--sender vnpt is not a sender profile; use generic \| opencps \| dichvucong-dotnet/,
    );
    const issued = await Promise.all([emc('keys', 'issue', 'H70'), emc('keys', 'issue', 'H71')]);
    const [opencpsKey, dotnetKey] = issued.map((r) => r.stdout.trim());
    const listed = JSON.parse((await emc('keys', 'list', 'H70', '--json')).stdout) as { sender?: string }[];
    expect(listed.map((k) => k.sender)).toEqual(['opencps']);

    const now = stack.clock.now();
    const today = dayOf(now, config.time.utcOffsetMinutes);
    const sent = { H70: dossiers('H70', today), H71: dossiers('H71', today) };
    for (const { truth, lifecycle } of sent.H70)
      for (const status of lifecycle) await post(opencpsKey ?? '', openCpsHandBuilt({ ...truth, status }));
    for (const { truth, lifecycle } of sent.H71)
      for (const status of lifecycle) await post(dotnetKey ?? '', dotNetJson({ ...truth, status }));
    // A resend of the same record changes nothing.
    const first = sent.H71[0];
    if (first) await post(dotnetKey ?? '', dotNetJson({ ...first.truth, status: 10 }));
    await stack.drained();
    const sentAt = stack.clock.now();

    await stack.evaluateNow(sentAt);
    const latest = await read<LatestSnapshot>('snapshots/latest.json');
    const row = (code: string): UnitRow | undefined => latest.units.find((r) => r.unitCode === code);
    expect(row('H70')?.connection).toMatchObject({
      status: 'connected',
      reasons: [],
      lastHeartbeatAt: null,
      catalogSyncedAt: null,
      criteria: {
        sender: 'opencps',
        applied: ['feed_rhythm', 'observed_catalog', 'reconciliation_optional'],
      },
    });
    expect(row('H71')?.connection.status).toBe('connected');
    expect(row('H70')?.figureSources).toMatchObject({
      fullOnlineRate: 'not_reported',
      onTimeRate: 'not_reported',
    });

    // Backfilled receipts land on the days their codes name, over the last 14 days.
    for (const code of ['H70', 'H71'] as const) {
      const unit = await read<UnitSnapshot>(`snapshots/units/${code}.json`);
      const byDay = new Map(unit.series.map((s) => [s.date, s.kpis]));
      for (let back = 0; back < 14; back++) {
        const day = addDays(today, -back);
        expect(byDay.get(day)?.dossiersReceived, `${code} ${day}`).toBe(2);
      }
      const total = (name: 'dossiersResolved' | 'dossiersWithoutDueDate' | 'dossiersResultByPost') =>
        unit.series.reduce((sum, s) => sum + s.kpis[name], 0);
      expect(total('dossiersResolved')).toBe(14);
      expect(total('dossiersWithoutDueDate')).toBe(14);
      expect(total('dossiersResultByPost')).toBe(sent[code].filter((d) => d.truth.resultByPost).length);
      const online = sent[code].filter((d) => d.truth.channel === 2).length;
      expect(unit.series.reduce((sum, s) => sum + s.kpis.dossiersReceivedOnline, 0)).toBe(online);
    }

    // Active on each of the last 14 days of 28: 3 × 48 hours of silence are allowed, and no more.
    await stack.evaluateNow(sentAt + 143 * HOUR);
    expect(
      (await read<LatestSnapshot>('snapshots/latest.json')).units.find((r) => r.unitCode === 'H70')
        ?.connection.status,
    ).toBe('connected');
    // The first evaluation past the limit sees it; the next one, agreeing, records it.
    await stack.evaluateNow(sentAt + 150 * HOUR);
    const seen = (await read<LatestSnapshot>('snapshots/latest.json')).units.find(
      (r) => r.unitCode === 'H70',
    );
    expect(seen?.connection).toMatchObject({
      status: 'connected',
      pending: { status: 'interrupted', count: 1 },
    });
    await stack.evaluateNow(sentAt + 150 * HOUR + 15 * 60_000);
    const silent = (await read<LatestSnapshot>('snapshots/latest.json')).units.find(
      (r) => r.unitCode === 'H70',
    );
    expect(silent?.connection.status).toBe('interrupted');
    expect(silent?.connection.reasons.map((r) => r.code)).toEqual([
      'connection_interrupted',
      'feed_rhythm_silent',
    ]);
    // The machine the suite runs on may be shared: the stack and the command line get room to answer.
  }, 480_000);

  it('registers a unit on the generic profile, as its integrator page says', async () => {
    const added = await emc(
      'units',
      'add',
      'H74',
      '--name',
      'Tỉnh H74',
      '--kind',
      'province',
      '--sender',
      'generic',
    );
    expect(added.status, added.stderr).toBe(0);
    const issued = await emc('keys', 'issue', 'H74');
    expect(issued.status, issued.stderr).toBe(0);
    const listed = JSON.parse((await emc('keys', 'list', 'H74', '--json')).stdout) as { sender?: string }[];
    expect(listed.map((k) => k.sender)).toEqual(['generic']);
  }, 120_000);

  it('a legacy unit that syncs its catalogue gets level and fee derived from it, marked derived', async () => {
    const issued = await emc('keys', 'issue', 'H72');
    expect(issued.status, issued.stderr).toBe(0);
    const key = issued.stdout.trim();
    const LEVELS = ['full', 'partial', 'none', 'full', 'partial'] as const;
    const procedures = LEVELS.map((onlineLevel, p) => ({
      procedureCode: `1.00${1000 + p}`,
      name: `Thủ tục ${p + 1}`,
      onlineLevel,
      feeBearing: p % 2 === 0,
    }));
    const synced = await fetch(`${stack.url}/v1/catalog`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ procedures }),
    });
    expect(synced.status, await synced.clone().text()).toBe(202);
    await stack.drained();

    const now = stack.clock.now();
    const today = dayOf(now, config.time.utcOffsetMinutes);
    // Each dossier's level and fee are its procedure's, as the unit's own system has them.
    const sent = dossiers('H72', today).map(({ truth, lifecycle }, i) => {
      const procedure = procedures[i % 5] ?? procedures[0];
      return {
        lifecycle,
        truth: {
          ...truth,
          onlineLevel: procedure?.onlineLevel ?? 'none',
          paid: procedure?.feeBearing && i % 4 === 0 ? ('online' as const) : undefined,
        },
        feeBearing: procedure?.feeBearing ?? false,
      };
    });
    for (const { truth, lifecycle } of sent)
      for (const status of lifecycle) await post(key, dotNetJson({ ...truth, status }));
    await stack.drained();
    await stack.evaluateNow(stack.clock.now());

    const latest = await read<LatestSnapshot>('snapshots/latest.json');
    const row = latest.units.find((r) => r.unitCode === 'H72');
    expect(row?.connection.criteria?.applied).toContain('catalog');
    expect(row?.figureSources).toMatchObject({
      fullOnlineEligible: 'derived',
      fullOnlineRate: 'derived',
      dossiersWithFee: 'derived',
      onlinePaymentRate: 'derived',
      onTimeRate: 'not_reported',
    });
    const unit = await read<UnitSnapshot>('snapshots/units/H72.json');
    const total = (
      name: 'fullOnlineEligible' | 'fullOnlineDossiers' | 'dossiersWithFee' | 'onlinePayments',
    ) => unit.series.reduce((sum, s) => sum + s.kpis[name], 0);
    expect(total('fullOnlineEligible')).toBe(sent.filter((d) => d.truth.onlineLevel === 'full').length);
    expect(total('fullOnlineDossiers')).toBe(
      sent.filter((d) => d.truth.onlineLevel === 'full' && d.truth.channel === 2).length,
    );
    expect(total('dossiersWithFee')).toBe(sent.filter((d) => d.feeBearing).length);
    expect(total('onlinePayments')).toBe(sent.filter((d) => d.truth.paid === 'online').length);
    expect(total('onlinePayments')).toBeLessThan(total('dossiersWithFee'));
  }, 180_000);
});
