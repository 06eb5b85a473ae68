/**
 * One national day (`emc simulate --scale national`: about 200,000 dossiers, about a million events) through
 * the local stack in this process, as fast as it takes them: wall time, events per second, DynamoDB write
 * units per event (every write the stack made, as DynamoDB Local reports them: it under-reports transactions,
 * so bench:cost counts the billed units from the requests instead), the evaluation time afterwards and
 * the snapshot bytes, and whether the published national figures equal the simulator's ground truth.
 * BENCH_FRACTION sends that share of the day (default 0.02 on a shared machine); figures for the whole day are
 * then extrapolated linearly and printed as such.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../../local/stack.ts';
import { dynamo } from '../../shared/adapters/dynamo-client.ts';
import { ShiftedClock } from '../../shared/config/clock.ts';
import type { LatestSnapshot } from '../../shared/schemas/snapshot.ts';
import { SCALES } from '../../simulator/simulate.ts';

const FRACTION = Number(process.env.BENCH_FRACTION ?? 0.02);
const START = process.env.BENCH_NOW ?? '2026-11-18T08:00:00+07:00';
const DRAIN_MINUTES = Number(process.env.BENCH_DRAIN_MINUTES ?? 20);

/** Write units of every DynamoDB call this process makes; the calls are asked to report them. */
const consumed = { write: 0, read: 0, counting: true };
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'TransactWriteCommand',
  'BatchWriteCommand',
]);
const unitsOf = (value: unknown, kind: 'WriteCapacityUnits' | 'ReadCapacityUnits'): number => {
  const entries = Array.isArray(value) ? value : value ? [value] : [];
  return entries.reduce((sum: number, entry: Record<string, number | undefined>) => {
    return sum + (entry[kind] ?? entry.CapacityUnits ?? 0);
  }, 0);
};
dynamo.middlewareStack.add(
  (next, context) => async (args) => {
    const input = args.input as { ReturnConsumedCapacity?: string };
    input.ReturnConsumedCapacity ??= 'TOTAL';
    const result = await next(args);
    const output = result.output as { ConsumedCapacity?: unknown };
    if (consumed.counting) {
      if (WRITES.has(context.commandName ?? ''))
        consumed.write += unitsOf(output.ConsumedCapacity, 'WriteCapacityUnits');
      else consumed.read += unitsOf(output.ConsumedCapacity, 'ReadCapacityUnits');
    }
    return result;
  },
  { step: 'initialize', name: 'benchConsumedCapacity' },
);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emc-bench-national-'));
  const clock = ShiftedClock.startingAt(Date.parse(START));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const stack = await startStack({ dataDir, clock, evaluateEverySeconds: 0 });
  try {
    const dossiers = Math.round(SCALES.national.dossiers * FRACTION);
    console.log(
      `national day x ${FRACTION}: ${dossiers.toLocaleString('en')} dossiers over ${SCALES.national.days} day(s), clock from ${START}; machine shared, one run`,
    );
    const { simulateAgainst } = await import('../../cli/simulate/run.ts');
    const started = Date.now();
    const truth = await simulateAgainst(
      { url: stack.url, tables: stack.file.tables },
      { seed: 2024, dossiers, days: SCALES.national.days, now: clock.now() },
    );
    const sentSeconds = (Date.now() - started) / 1000;
    await stack.drained(DRAIN_MINUTES * 60_000);
    const seconds = (Date.now() - started) / 1000;
    consumed.counting = false;
    const evaluationStarted = Date.now();
    const summary = await stack.evaluateNow();
    const evaluationSeconds = (Date.now() - evaluationStarted) / 1000;
    const response = await fetch(`${stack.url}/snapshots/latest.json`);
    const snapshot = (await response.json()) as LatestSnapshot;

    const events = truth.sent.events;
    const got = snapshot.national.kpis.yearToDate as unknown as Record<string, number | null>;
    const want: Record<string, number | null> = {
      ...truth.national.yearToDate,
      onlineRate: truth.national.onlineRate,
    };
    const mismatches = Object.entries(want).filter(([name, value]) => got[name] !== value);
    const connectedOk =
      snapshot.connection.registered === truth.registered &&
      snapshot.connection.connected === truth.connected;

    const scale = 1 / FRACTION;
    console.log(
      `sent ${events.toLocaleString('en')} events (${truth.sent.duplicates} resent, ${truth.sent.legacy} legacy) in ${truth.sent.requests.toLocaleString('en')} requests; all accepted in ${sentSeconds.toFixed(1)} s, all counted in ${seconds.toFixed(1)} s = ${Math.round(events / seconds)} events/s accepted → counted`,
    );
    console.log(
      `DynamoDB write units: ${consumed.write.toFixed(0)} = ${(consumed.write / events).toFixed(3)} per event as DynamoDB Local reports them (every write of the stack, heartbeats and catalogues included); read units ${(consumed.read / events).toFixed(3)} per event`,
    );
    console.log(
      `evaluation afterwards: ${evaluationSeconds.toFixed(2)} s for ${summary.units} units; snapshot ${summary.snapshotObjects} objects, ${summary.snapshotBytes.toLocaleString('en')} bytes`,
    );
    console.log(
      `published national year-to-date figures vs ground truth: ${mismatches.length === 0 ? `all ${Object.keys(want).length} equal` : `MISMATCH ${JSON.stringify(mismatches.map(([name, value]) => ({ name, want: value, got: got[name] })))}`}; connection ${snapshot.connection.connected}/${snapshot.connection.registered} (truth ${truth.connected}/${truth.registered})`,
    );
    if (FRACTION !== 1)
      console.log(
        `EXTRAPOLATED to the whole national day (x${scale.toFixed(0)}, linear, not measured): ~${Math.round((events * scale) / 1000).toLocaleString('en')}k events in ~${((seconds * scale) / 60).toFixed(0)} min at the same ${Math.round(events / seconds)} events/s`,
      );
    console.log(
      JSON.stringify({
        fraction: FRACTION,
        dossiers,
        events,
        sentSeconds,
        seconds,
        eventsPerSecond: events / seconds,
        writeUnitsPerEvent: consumed.write / events,
        readUnitsPerEvent: consumed.read / events,
        evaluationSeconds,
        snapshotBytes: summary.snapshotBytes,
        mismatches: mismatches.length,
        connectedOk,
      }),
    );
    if (mismatches.length > 0 || !connectedOk) process.exitCode = 1;
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
