/**
 * The running local stack, driven from this second process over HTTP: sustained events per second from
 * request to counted, the p50 and p99 lag from a 202 to the dossier's state being committed in DynamoDB,
 * and the CPU each process used, to show what limits it.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { freePort } from '../../local/servers.ts';
import { stackFileSchema } from '../../local/stack.ts';
import { dynamoClients } from '../../test/helpers/local-aws.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const EVENTS_PER_REQUEST = 200;
const UNITS = 40;

function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function descendants(pid: number): number[] {
  try {
    const out = execSync(`ps -o pid= --ppid ${pid}`, { encoding: 'utf8' });
    const children = out
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter(Boolean);
    return children.flatMap((child) => [child, ...descendants(child)]);
  } catch {
    return [];
  }
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emc-bench-e2e-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      EMC_DATA_DIR: dataDir,
      EMC_EVALUATE_EVERY: '0',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 120; i++) {
      const ok = await fetch(`${url}/v1/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const file = stackFileSchema.parse(JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')));
    process.env.EMC_DATA_DIR = dataDir;
    const { connect } = await import('../../cli/context.ts');
    connect(false);
    const { issueKey } = await import('../../shared/domain/auth/api-keys.ts');
    const { DynamoKeyStore } = await import('../../shared/adapters/key-store.ts');
    const { loadKeyPepper } = await import('../../shared/adapters/key-pepper.ts');
    const store = new DynamoKeyStore(file.tables.keys);
    const pepper = await loadKeyPepper();
    const units = Array.from({ length: UNITS }, (_, i) => `H${String(i + 1).padStart(2, '0')}`);
    const keys = new Map<string, string>();
    for (const unit of units) {
      const { key, record } = issueKey(pepper, unit, Date.now());
      await store.put(record);
      keys.set(unit, key);
    }
    const { doc } = dynamoClients(file.dynamodb);
    const processes = () => [child.pid ?? 0, ...descendants(child.pid ?? 0)];
    const cpuBefore = new Map(processes().map((pid) => [pid, cpuSeconds(pid)]));
    const benchCpuBefore = process.cpuUsage();

    const samples: { pk: string; acceptedAt: number }[] = [];
    let sent = 0;
    let sequence = 0;
    const started = Date.now();
    const interval = (EVENTS_PER_REQUEST / RATE) * 1000;
    const inflight: Promise<void>[] = [];
    for (let n = 0; Date.now() - started < SECONDS * 1000; n++) {
      const due = started + n * interval;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const unit = units[n % units.length] ?? 'H01';
      const now = Date.now();
      const events = Array.from({ length: EVENTS_PER_REQUEST }, () => {
        const seq = sequence++;
        const at = new Date(now - 60_000 + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
        return {
          eventId: `b${seq}`,
          dossierCode: `000.00.10.${unit}-261123-${String(seq).padStart(8, '0')}`,
          procedureCode: '1.001234',
          agencyCode: `000.00.${String(10 + (seq % 20)).padStart(2, '0')}.${unit}`,
          status: 2,
          channel: seq % 3 === 0 ? 2 : 1,
          onlineLevel: 'full',
          occurredAt: at,
          receivedAt: at,
        };
      });
      const marker = events[0]?.dossierCode ?? '';
      inflight.push(
        fetch(`${url}/v1/dossier-events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.get(unit)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        }).then(async (response) => {
          await response.text();
          if (response.status === 202) {
            sent += EVENTS_PER_REQUEST;
            samples.push({ pk: `D#${unit}#${marker}`, acceptedAt: Date.now() });
          }
        }),
      );
      if (inflight.length > 64) await inflight.shift();
    }
    await Promise.all(inflight);
    const sendSeconds = (Date.now() - started) / 1000;

    const lags: number[] = [];
    const pending = new Map(samples.map((s) => [s.pk, s.acceptedAt]));
    while (pending.size > 0 && Date.now() - started < (SECONDS + 600) * 1000) {
      const batch = [...pending.keys()].slice(0, 100);
      const result = await doc.send(
        new BatchGetCommand({
          RequestItems: { [file.tables.state]: { Keys: batch.map((pk) => ({ pk, sk: '-' })) } },
        }),
      );
      const seenAt = Date.now();
      for (const item of result.Responses?.[file.tables.state] ?? []) {
        const acceptedAt = pending.get(String(item.pk));
        if (acceptedAt !== undefined) lags.push(seenAt - acceptedAt);
        pending.delete(String(item.pk));
      }
      if (batch.length < 100) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const totalSeconds = (Date.now() - started) / 1000;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const cpu = processes().map((pid) => {
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      return { pid, name, cpuSeconds: Number((cpuSeconds(pid) - (cpuBefore.get(pid) ?? 0)).toFixed(1)) };
    });
    console.log(
      `offered ${RATE} events/s for ${SECONDS} s in requests of ${EVENTS_PER_REQUEST}, ${UNITS} units`,
    );
    console.log(
      `accepted: ${sent} events in ${sendSeconds.toFixed(1)} s = ${Math.round(sent / sendSeconds)} events/s (HTTP 202)`,
    );
    console.log(
      `counted:  ${sent} events by ${totalSeconds.toFixed(1)} s = ${Math.round(sent / totalSeconds)} events/s sustained, accepted → counted`,
    );
    console.log(
      `lag accepted → counted: p50 ${(percentile(lags, 0.5) / 1000).toFixed(2)} s, p99 ${(percentile(lags, 0.99) / 1000).toFixed(2)} s (${lags.length} sampled requests)`,
    );
    console.log(
      `CPU seconds over the run (${totalSeconds.toFixed(0)} s wall, 2 cores): ${cpu.map((c) => `${c.name}(${c.pid}) ${c.cpuSeconds}`).join(', ')}, bench ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)}`,
    );
    console.log(
      JSON.stringify({
        offered: RATE,
        seconds: SECONDS,
        accepted: sent,
        acceptedPerSecond: sent / sendSeconds,
        countedPerSecond: sent / totalSeconds,
        lagP50: percentile(lags, 0.5),
        lagP99: percentile(lags, 0.99),
        cpu,
      }),
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
