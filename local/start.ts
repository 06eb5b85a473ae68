import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseStartTime, ShiftedClock } from '../shared/config/clock.ts';
import { startStack } from './stack.ts';

/**
 * `npm start`: the whole pipeline and the dashboard on one machine, with embedded defaults.
 * PORT (3000), EMC_DATA_DIR (./.emc), EMC_EVALUATE_EVERY seconds (60), EMC_DEMO=0 to skip the demo registry,
 * EMC_NOW or `--now <ISO time>` to run on a clock that starts at that time and moves forward.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const dataDir = resolve(process.env.EMC_DATA_DIR ?? '.emc');
const port = Number(process.env.PORT ?? 3000);
const every = Number(process.env.EMC_EVALUATE_EVERY ?? 60);
const { values: flags } = parseArgs({ options: { now: { type: 'string' } }, strict: false });
const startAt = typeof flags.now === 'string' ? flags.now : process.env.EMC_NOW;
const clock = startAt ? ShiftedClock.startingAt(parseStartTime(startAt, '--now')) : new ShiftedClock(0);

if (spawnSync('java', ['-version']).error) {
  console.error('DynamoDB Local needs Java 17 or later: apt-get install -y default-jre-headless');
  process.exit(1);
}

const log = (line: string): void => console.log(`[emc] ${line}`);
const stack = await startStack({ dataDir, port, evaluateEverySeconds: every, log, clock });
if (startAt) log(`clock starts at ${new Date(clock.now()).toISOString()} and moves forward`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const demoMarker = join(dataDir, 'demo-registry');
if (process.env.EMC_DEMO !== '0' && !existsSync(demoMarker)) {
  const { DynamoRegistry } = await import('../shared/adapters/dynamo-registry.ts');
  const { demoRegistry } = await import('../cli/simulate/registry.ts');
  const registry = new DynamoRegistry(stack.file.tables.state);
  for (const unit of demoRegistry()) await registry.putUnit(unit);
  writeFileSync(demoMarker, new Date(clock.now()).toISOString());
  log('seeded the demo registry: 20 ministries and sectors, 63 provinces');
}

await stack.evaluateNow().then(
  (summary) =>
    log(`first evaluation: ${summary.byStatus.connected ?? 0}/${summary.units} units fully connected`),
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

Get a unit's API key:   npm run emc -- keys issue H01
Fill it with traffic:   npm run emc -- simulate
Evaluate right now:     npm run emc -- evaluate
Stop:                   Ctrl-C
`);
