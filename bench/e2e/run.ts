/**
 * The running local stack, driven from this second process over HTTP. Lag is probed while sending: every
 * sampled request carries one marker dossier of an agency no other dossier uses, so the marker is counted
 * exactly when that agency's day counter exists, i.e. when its delta has been folded into the counters (not
 * merely when the dossier's state is stored). A bounded search finds the highest offered rate whose backlog
 * (accepted minus counted, from the units' folded day totals) does not grow over the step; lag is then
 * reported at 25%, 50% and 90% of it, with the CPU each process used in every step.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { freePort } from '../../local/servers.ts';
import { stackFileSchema } from '../../shared/config/local-stack.ts';
import { dynamoClients } from '../../test/helpers/local-aws.ts';

/** Seconds per search step: the backlog must not grow over it. */
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 60);
/** Seconds per lag step at 25%, 50% and 90% of the sustainable rate. */
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 60);
/** Skips the search and measures lag at shares of this rate, e.g. one found by an earlier run. */
const GIVEN_RATE = process.env.BENCH_SUSTAINABLE ? Number(process.env.BENCH_SUSTAINABLE) : undefined;
const START_RATE = Number(process.env.BENCH_START_RATE ?? 500);
const MAX_STEPS = Number(process.env.BENCH_MAX_STEPS ?? 4);
/** After a step, the backlog gets this long to drain before the next step starts. */
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 120);
const EVENTS_PER_REQUEST = 200;
const UNITS = 40;
const MAX_INFLIGHT = 64;
/**
 * The worker folds a unit's pending deltas once this many wait (the configured default is 20). Below it,
 * deltas wait for the unit's next batch or for the evaluation, which folds first: at a low per-unit rate
 * the folded counters then lag by the time between a unit's batches, whatever the load.
 */
const FOLD_AT_PENDING = Number(process.env.BENCH_FOLD_AT_PENDING ?? 1);

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

/** A process named by what it is: the stack's Node, DynamoDB Local's Java, s3rver's Node. */
function processName(pid: number, root: number): string {
  if (pid === root) return 'stack-node';
  const cmd = (() => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  })();
  if (cmd.includes('DynamoDBLocal')) return 'dynamodb-java';
  if (cmd.includes('s3rver')) return 's3rver-node';
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Probe {
  pk: string;
  sk: string;
  acceptedAt: number;
}

interface StepResult {
  offered: number;
  seconds: number;
  accepted: number;
  acceptedPerSecond: number;
  countedPerSecond: number;
  /** Backlog (events accepted, not yet counted) a third of the way in and at the end of sending. */
  backlogEarly: number;
  backlogEnd: number;
  sustainable: boolean;
  lagP50: number;
  lagP99: number;
  lagSamples: number;
  uncounted: number;
  drainSeconds: number;
  cpu: Record<string, number>;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emc-bench-e2e-'));
  const port = await freePort();
  const config = join(dataDir, 'bench-config.json');
  writeFileSync(config, JSON.stringify({ worker: { foldAtPending: FOLD_AT_PENDING } }));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      EMC_DATA_DIR: dataDir,
      EMC_EVALUATE_EVERY: '0',
      EMC_DEMO: '0',
      EMC_CONFIG: config,
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
      await sleep(500);
    }
    const file = stackFileSchema.parse(JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')));
    process.env.EMC_DATA_DIR = dataDir;
    const { connect } = await import('../../cli/context.ts');
    connect(false);
    const { issueKey } = await import('../../shared/domain/auth/api-keys.ts');
    const { DynamoKeyStore } = await import('../../shared/adapters/dynamo-key-store.ts');
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
    const root = child.pid ?? 0;
    const table = file.tables.state;
    let sequence = 0;
    let probeSequence = 0;
    let acceptedTotal = 0;
    const days = new Set<string>();

    /** Events folded into the units' day totals, over every day the bench has sent. */
    const counted = async (): Promise<number> => {
      const wanted = [...days].flatMap((day) => units.map((unit) => ({ pk: `C#${unit}#${day}`, sk: 'U' })));
      let total = 0;
      for (let i = 0; i < wanted.length; i += 100) {
        const result = await doc.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: wanted.slice(i, i + 100) } } }),
        );
        for (const item of result.Responses?.[table] ?? []) total += Number(item.received ?? 0);
      }
      return total;
    };

    /** Marks each probe whose marker agency's day counter exists; bounded to five reads a look. */
    const look = async (client: DynamoDBDocumentClient, pending: Map<string, Probe>, lags: number[]) => {
      const batch = [...pending.values()].slice(0, 500);
      for (let i = 0; i < batch.length; i += 100) {
        const chunk = batch.slice(i, i + 100);
        const result = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [table]: { Keys: chunk.map(({ pk, sk }) => ({ pk, sk })), ProjectionExpression: 'pk, sk' },
            },
          }),
        );
        const seenAt = Date.now();
        for (const item of result.Responses?.[table] ?? []) {
          const id = `${item.pk}|${item.sk}`;
          const probe = pending.get(id);
          if (probe) lags.push(seenAt - probe.acceptedAt);
          pending.delete(id);
        }
      }
    };

    const step = async (rate: number, seconds: number): Promise<StepResult> => {
      const processes = (): number[] => [root, ...descendants(root)];
      const cpuBefore = new Map(processes().map((pid) => [pid, cpuSeconds(pid)]));
      const benchCpuBefore = process.cpuUsage();
      const acceptedBefore = acceptedTotal;
      const pending = new Map<string, Probe>();
      const lags: number[] = [];
      let sending = true;
      const backlog: { at: number; value: number }[] = [];
      const started = Date.now();
      const prober = (async () => {
        let lastBacklog = 0;
        // Bounded by time: the sending phase plus the drain allowance.
        while (Date.now() - started < (seconds + DRAIN_SECONDS) * 1000) {
          if (pending.size > 0) await look(doc, pending, lags);
          if (Date.now() - lastBacklog >= 2_000 || (!sending && pending.size === 0)) {
            lastBacklog = Date.now();
            // Over the whole run, so that a backlog left by an earlier step counts against this one.
            const value = acceptedTotal - (await counted());
            backlog.push({ at: Date.now() - started, value });
            if (!sending && pending.size === 0 && value === 0) return;
          }
          await sleep(200);
        }
      })();

      const interval = (EVENTS_PER_REQUEST / rate) * 1000;
      const inflight = new Set<Promise<void>>();
      for (let n = 0; Date.now() - started < seconds * 1000; n++) {
        const wait = started + n * interval - Date.now();
        if (wait > 0) await sleep(wait);
        const unit = units[n % units.length] ?? 'H01';
        const now = Date.now();
        const at = new Date(now - 60_000 + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
        const day = at.slice(0, 10);
        days.add(day);
        const probe = probeSequence++ + 1_000_000;
        const digits = String(probe).padStart(7, '0');
        const markerAgency = `${digits.slice(0, 3)}.${digits.slice(3, 5)}.${digits.slice(5, 7)}.${unit}`;
        const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => {
          const seq = sequence++;
          return {
            eventId: `b${seq}`,
            dossierCode: `000.00.10.${unit}-261123-${String(seq).padStart(8, '0')}`,
            procedureCode: '1.001234',
            agencyCode: i === 0 ? markerAgency : `000.00.${String(10 + (seq % 20)).padStart(2, '0')}.${unit}`,
            status: 2,
            channel: seq % 3 === 0 ? 2 : 1,
            onlineLevel: 'full',
            occurredAt: at,
            receivedAt: at,
          };
        });
        const request = fetch(`${url}/v1/dossier-events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.get(unit)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        }).then(
          async (response) => {
            await response.text();
            if (response.status !== 202) return;
            acceptedTotal += EVENTS_PER_REQUEST;
            const key = { pk: `C#${unit}#${day}`, sk: `A#${markerAgency}` };
            pending.set(`${key.pk}|${key.sk}`, { ...key, acceptedAt: Date.now() });
          },
          () => undefined,
        );
        inflight.add(request);
        request.finally(() => inflight.delete(request));
        if (inflight.size >= MAX_INFLIGHT) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      sending = false;
      const sendSeconds = (Date.now() - started) / 1000;
      const accepted = acceptedTotal - acceptedBefore;
      const countedBySendEnd = backlog.at(-1)?.value ?? 0;
      await prober;
      const drainSeconds = (Date.now() - started) / 1000 - sendSeconds;
      const sendPhase = backlog.filter((b) => b.at <= sendSeconds * 1000);
      const early = sendPhase.find((b) => b.at >= (sendSeconds * 1000) / 3)?.value ?? 0;
      const end = sendPhase.at(-1)?.value ?? countedBySendEnd;
      const benchCpu = process.cpuUsage(benchCpuBefore);
      const cpu: Record<string, number> = {};
      for (const pid of processes()) {
        const name = processName(pid, root);
        cpu[name] = Number(((cpu[name] ?? 0) + cpuSeconds(pid) - (cpuBefore.get(pid) ?? 0)).toFixed(1));
      }
      cpu['load-generator'] = Number(((benchCpu.user + benchCpu.system) / 1e6).toFixed(1));
      // Not growing: the backlog at the end of sending is within two seconds' worth of the one a third in.
      const sustainable = accepted >= 0.95 * rate * seconds && end - early <= 2 * rate;
      return {
        offered: rate,
        seconds: sendSeconds,
        accepted,
        acceptedPerSecond: accepted / sendSeconds,
        countedPerSecond: (accepted - (end - (backlog[0]?.value ?? 0))) / sendSeconds,
        backlogEarly: early,
        backlogEnd: end,
        sustainable,
        lagP50: percentile(lags, 0.5),
        lagP99: percentile(lags, 0.99),
        lagSamples: lags.length,
        uncounted: pending.size,
        drainSeconds,
        cpu,
      };
    };

    const print = (label: string, r: StepResult): void => {
      const wall = r.seconds + r.drainSeconds;
      console.log(
        `${label} offered ${r.offered} ev/s for ${r.seconds.toFixed(0)} s: accepted ${Math.round(r.acceptedPerSecond)} ev/s, counted ${Math.round(r.countedPerSecond)} ev/s while sending; backlog ${r.backlogEarly} → ${r.backlogEnd} events (${r.sustainable ? 'sustainable' : 'growing'}); lag 202 → folded p50 ${(r.lagP50 / 1000).toFixed(2)} s, p99 ${(r.lagP99 / 1000).toFixed(2)} s (${r.lagSamples} probes${r.uncounted > 0 ? `, ${r.uncounted} not counted in time` : ''}); drained in ${r.drainSeconds.toFixed(1)} s; CPU cores used: ${Object.entries(
          r.cpu,
        )
          .map(([name, s]) => `${name} ${(s / wall).toFixed(2)}`)
          .join(', ')}`,
      );
    };

    console.log(
      `${UNITS} units, requests of ${EVENTS_PER_REQUEST} events, worker folds at ${FOLD_AT_PENDING} pending delta(s); steps of ${STEP_SECONDS} s, lag steps of ${LAG_SECONDS} s, drain allowance ${DRAIN_SECONDS} s`,
    );
    // Bounded search: double while sustainable, then bisect; at most MAX_STEPS steps.
    const results: StepResult[] = [];
    let low = 0;
    let high = Number.POSITIVE_INFINITY;
    let rate = START_RATE;
    for (let i = 0; GIVEN_RATE === undefined && i < MAX_STEPS; i++) {
      const result = await step(rate, STEP_SECONDS);
      results.push(result);
      print(`search ${i + 1}/${MAX_STEPS}`, result);
      if (result.sustainable) low = Math.max(low, result.countedPerSecond);
      else high = Math.min(high, rate);
      rate = Number.isFinite(high) ? Math.round((Math.max(low, START_RATE / 4) + high) / 2) : rate * 2;
    }
    const sustainable = GIVEN_RATE ?? low;
    console.log(
      `highest sustainable counted rate: ${Math.round(sustainable)} events/s (target >= 1500); first unsustainable offered rate: ${Number.isFinite(high) ? high : 'none found'}`,
    );
    const lagSteps: { share: number; result: StepResult }[] = [];
    if (sustainable > 0) {
      for (const share of [0.25, 0.5, 0.9]) {
        const result = await step(Math.max(1, Math.round(share * sustainable)), LAG_SECONDS);
        lagSteps.push({ share, result });
        print(`lag at ${share * 100}%`, result);
      }
      const half = lagSteps.find((s) => s.share === 0.5)?.result;
      if (half)
        console.log(
          `p99 lag at 50% of the sustainable rate: ${(half.lagP99 / 1000).toFixed(2)} s (target <= 2 s)`,
        );
    }
    console.log(JSON.stringify({ search: results, sustainable, lag: lagSteps }));
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
