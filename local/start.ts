import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseStartTime, ShiftedClock } from '../shared/config/clock.ts';
import { ENV } from '../shared/config/env-names.ts';
import { evaluationIntervalSeconds } from '../shared/topology.ts';
import type { Demo } from './demo.ts';
import { startStack } from './stack.ts';

/**
 * `npm start`: the whole pipeline and the dashboard on one machine, with embedded defaults.
 * PORT (3000), EMC_DATA_DIR (./.emc), EMC_EVALUATE_EVERY seconds (60), EMC_NOW or `--now <ISO time>` to run
 * on a clock that starts at that time and moves forward. By default it is a living demo: the 83-unit
 * registry, the simulator's default scenario on the first start, then live traffic. `npm start -- --empty` or EMC_DEMO=0
 * starts with a clean registry instead. `npm start -- --bundled` runs `cdk synth` first and then the
 * esbuild bundles it made of each function, the code that is deployed, instead of the TypeScript sources.
 */
process.env[ENV.sdkNodeVersionWarningDisabled] ??= 'true';
const dataDir = resolve(process.env[ENV.dataDir] ?? '.emc');
const port = Number(process.env[ENV.port] ?? 3000);
const every = Number(process.env[ENV.evaluateEvery] ?? evaluationIntervalSeconds('local'));
const { values: flags } = parseArgs({
  options: { now: { type: 'string' }, empty: { type: 'boolean' }, bundled: { type: 'boolean' } },
  strict: false,
});
const startAt = typeof flags.now === 'string' ? flags.now : process.env[ENV.now];
const clock = startAt ? ShiftedClock.startingAt(parseStartTime(startAt, '--now')) : new ShiftedClock(0);
const demoMode = process.env[ENV.demo] !== '0' && flags.empty !== true;
let demo: Demo | undefined;

if (spawnSync('java', ['-version']).error) {
  console.error('DynamoDB Local needs Java 17 or later: apt-get install -y default-jre-headless');
  process.exit(1);
}

const log = (line: string): void => console.log(`[emc] ${line}`);
let bundled: string | undefined;
if (flags.bundled === true) {
  bundled = resolve('cdk.out');
  log('cdk synth: bundling every function as it is deployed…');
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', bundled], { stdio: 'inherit' });
  if (synth.status !== 0) process.exit(synth.status ?? 1);
}
// On the demo's first start nothing is evaluated until its history is counted: every unit's first verdict is
// then its real one (into the digest), not "never connected" followed by 67 changes at once.
const backfilling = demoMode && !existsSync(join(dataDir, 'demo.json'));
let releaseEvaluations: () => void = () => undefined;
const evaluateFrom = backfilling ? new Promise<void>((release) => (releaseEvaluations = release)) : undefined;
const stack = await startStack({
  dataDir,
  port,
  evaluateEverySeconds: every,
  evaluateFrom,
  log,
  clock,
  bundled,
});
if (startAt) log(`clock starts at ${new Date(clock.now()).toISOString()} and moves forward`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  await demo?.stop();
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const demoMarker = join(dataDir, 'demo-registry');
if (demoMode && !existsSync(demoMarker)) {
  const { DynamoRegistry } = await import('../shared/adapters/dynamo-registry.ts');
  const { demoRegistry } = await import('../simulator/registry.ts');
  const registry = new DynamoRegistry(stack.file.tables.state);
  for (const unit of demoRegistry()) await registry.putUnit(unit);
  writeFileSync(demoMarker, new Date(clock.now()).toISOString());
  log('seeded the demo registry: 20 ministries and sectors, 63 provinces');
}

if (demoMode) {
  const { startDemo } = await import('./demo.ts');
  demo = await startDemo({
    url: stack.url,
    tables: stack.file.tables,
    dataDir,
    clock,
    log,
    settle: async () => {
      log('backfill accepted; counting it…');
      await stack.drained(600_000);
      // A change of status is recorded once enough evaluations in a row agree: should an earlier, interrupted
      // start have recorded verdicts already, the dashboard is filled after that many.
      const { settings } = await import('../shared/config/settings.ts');
      let summary = await stack.evaluateNow();
      for (let i = 1; i < settings().compliance.stability.confirmations; i++)
        summary = await stack.evaluateNow();
      log(
        `dashboard filled: ${summary.byStatus.connected ?? 0}/${summary.units} units fully connected, ${summary.alertsSent} alert(s) sent; live traffic starts`,
      );
    },
  });
  demo.backfilled.finally(releaseEvaluations).then(
    (result) => {
      if (result)
        log(
          `backfilled the default scenario: ${result.events} events in ${result.seconds.toFixed(0)} s, counted and published (ground truth: ${join(dataDir, 'ground-truth.json')})`,
        );
    },
    (error: unknown) =>
      log(`warning: the demo backfill stopped: ${error instanceof Error ? error.message : String(error)}`),
  );
}

// The first snapshot, so the dashboard has something at once; on the demo's first start it comes once the
// backfill is counted, and until then the dashboard says that nothing is published yet.
await (backfilling ? Promise.resolve(null) : stack.evaluateNow()).then(
  (summary) =>
    summary &&
    log(
      `first evaluation: ${summary.byStatus.connected ?? 0}/${summary.units} units fully connected, ${summary.alertsSent} alert(s) sent (${join(dataDir, 'alerts.log')})`,
    ),
  (error: unknown) =>
    log(`first evaluation failed: ${error instanceof Error ? error.message : String(error)}`),
);

console.log(`
EMC monitor is running.
  dashboard   ${stack.url}/
  API         ${stack.url}/v1/…   (contract: docs/openapi.json)
  health      ${stack.url}/v1/health
  snapshots   ${stack.url}/snapshots/latest.json   (evaluated every ${every} s)
  data        ${dataDir}

${demoMode ? 'Live demo traffic:     on (npm start -- --empty for a clean registry)\n' : ''}Get a unit's API key:   npm run emc -- keys issue H01
${demoMode ? 'Send the scenario again: npm run emc -- simulate   (the same events: each is counted once)' : 'Fill it with traffic:   npm run emc -- simulate'}
Evaluate right now:     npm run emc -- evaluate
Stop:                   Ctrl-C
`);
