/**
 * The dossier worker against DynamoDB Local: events per second, and write units per event as DynamoDB
 * reports them (ConsumedCapacity), against a naive baseline that does one UpdateItem per counter per event,
 * measured in the same run.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoLocal } from '../../local/servers.ts';
import { CapacityMeter } from '../../shared/adapters/capacity-meter.ts';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { createTables } from '../../shared/adapters/dynamo-tables.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { COUNTERS } from '../../shared/domain/dossier/counters.ts';
import { contributions, merge } from '../../shared/domain/dossier/state.ts';
import { processDossierEventBatch } from '../../shared/domain/worker/dossier-batch.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import { dynamoClients } from '../../test/helpers/local-aws.ts';
import { realisticEvents, sendWindows, unitCodes } from './mix.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const NAIVE_SAMPLE = Number(process.env.BENCH_NAIVE_EVENTS ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

async function main(): Promise<void> {
  const dynamo = await startDynamoLocal();
  try {
    const { raw, doc } = dynamoClients(dynamo.endpoint);
    await createTables(raw, { state: 'bench-state', keys: 'bench-keys' });
    await createTables(raw, { state: 'bench-naive', keys: 'bench-naive-keys' });
    const config = loadSettings({});
    const options = countOptions(config);
    const events = realisticEvents(EVENTS);
    const messages = sendWindows(events, 10 * 60_000);
    const batches: (typeof messages)[] = [];
    for (let i = 0; i < messages.length; i += BATCH) batches.push(messages.slice(i, i + BATCH));
    console.log(
      `mix: ${events.length} events, ${new Set(events.map((e) => e.dossierCode)).size} dossiers, ${unitCodes().length} units, ${messages.length} messages, ${batches.length} batches of up to ${BATCH}, concurrency ${CONCURRENCY}`,
    );

    const meter = new CapacityMeter();
    const store = new DynamoDossierStore('bench-state', doc, meter);
    const archive = { putDossierEvents: async () => undefined };
    let failures = 0;
    const started = process.hrtime.bigint();
    await pool(batches, CONCURRENCY, async (batch) => {
      let pending = batch.map((message, i) => ({
        messageId: `${message.requestId}-${i}`,
        body: JSON.stringify(message),
        receiveCount: 1,
      }));
      while (pending.length > 0) {
        const response = await processDossierEventBatch(pending, {
          store,
          archive,
          setAside: {
            setAside: async () => {
              throw new Error('the bench sends only valid events; none should be set aside');
            },
          },
          options,
          onPoison: () => undefined,
          onFailure: () => undefined,
          clock: Date.now,
        });
        const failed = new Set(response.failed);
        failures += failed.size;
        pending = pending.filter((record) => failed.has(record.messageId));
      }
    });
    for (const unit of unitCodes()) await store.fold(unit, 1);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ours = { eventsPerSecond: events.length / seconds, wcuPerEvent: meter.writeUnits / events.length };

    // Naive: for every event, one UpdateItem per counter it touches, on each of the same four rollups the
    // worker keeps (agency and unit, by day and by month), so both serve the same reads.
    const naiveMeter = new CapacityMeter();
    const sample = events.slice(0, NAIVE_SAMPLE);
    const updates: { pk: string; sk: string; name: string; value: number }[] = [];
    for (const event of sample) {
      const state = merge({}, event, options.rules);
      for (const cell of contributions(state, options.rules, options.dayOf).cells) {
        for (const name of COUNTERS) {
          const value = cell.values[name];
          if (!value) continue;
          for (const period of [cell.day, cell.day.slice(0, 7)]) {
            for (const sk of [`A#${cell.agencyCode}`, 'U']) {
              updates.push({ pk: `C#${event.unitCode}#${period}`, sk, name, value });
            }
          }
        }
      }
    }
    const naiveStarted = process.hrtime.bigint();
    await pool(updates, 16, async (update) => {
      const result = await doc.send(
        new UpdateCommand({
          TableName: 'bench-naive',
          Key: { pk: update.pk, sk: update.sk },
          UpdateExpression: 'ADD #c :v',
          ExpressionAttributeNames: { '#c': update.name },
          ExpressionAttributeValues: { ':v': update.value },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      naiveMeter.record(result.ConsumedCapacity ? [result.ConsumedCapacity] : [], 'write');
    });
    const naiveSeconds = Number(process.hrtime.bigint() - naiveStarted) / 1e9;
    const naive = {
      eventsPerSecond: sample.length / naiveSeconds,
      wcuPerEvent: naiveMeter.writeUnits / sample.length,
    };

    console.log(
      `worker:   ${Math.round(ours.eventsPerSecond).toLocaleString('en')} events/s, ${ours.wcuPerEvent.toFixed(3)} WCU/event (${meter.writeUnits} WCU, ${meter.readUnits} RCU, ${failures} retried records)   target <= 1.5`,
    );
    console.log(
      `naive:    ${Math.round(naive.eventsPerSecond).toLocaleString('en')} events/s, ${naive.wcuPerEvent.toFixed(3)} WCU/event (${updates.length} UpdateItem calls for ${sample.length} events)`,
    );
    console.log(
      `ratio:    naive / worker write units = ${(naive.wcuPerEvent / ours.wcuPerEvent).toFixed(2)}x   target >= 3x`,
    );
    console.log(JSON.stringify({ events: events.length, seconds, ours, naive, naiveSample: sample.length }));
  } finally {
    await dynamo.stop();
  }
}

await main();
