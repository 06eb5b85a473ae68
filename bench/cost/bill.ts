/**
 * The monthly bill at national load, item by item, from request counts measured in this run and the list
 * prices of a dated file (bench/cost/prices-2026-11.json), next to the naive design: one SQS message and one
 * archive object per event, one UpdateItem per counter per event.
 *
 * Measured here: SQS messages and bytes per event from the real ingest handler's packing, ingest and heartbeat
 * handler time; write and read units per event, worker time per event, archive objects and bytes, stored
 * dossier bytes from the real worker against DynamoDB Local; reads, time and snapshot bytes of one evaluation.
 * Assumed (and printed as such): the load, the request sizes units send, the Lambda memory sizes of infra/,
 * log bytes per invocation, and warm containers reading the key pepper.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  DAILY_SNAPSHOT_DAYS,
  DATED_SNAPSHOT_DAYS,
  RAW_RETENTION_DAYS,
  RAW_TRANSITION_MIN_BYTES,
} from '../../infra/emc-stack.ts';
import { startDynamoLocal } from '../../local/servers.ts';
import { CapacityMeter } from '../../shared/adapters/capacity-meter.ts';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { createTables } from '../../shared/adapters/dynamo-tables.ts';
import { archiveObject } from '../../shared/adapters/s3-archive.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { COUNTERS } from '../../shared/domain/dossier/counters.ts';
import { contributions, merge } from '../../shared/domain/dossier/state.ts';
import { processDossierEventBatch } from '../../shared/domain/worker/dossier-batch.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import type { DossierEventsMessage } from '../../shared/schemas/queue.ts';
import { mappingSettings, topology } from '../../shared/topology.ts';
import { httpEvent, lambdaContext } from '../../test/fixtures/index.ts';
import { bearer, ingestHarness, validEvent } from '../../test/helpers/ingest-harness.ts';
import { dynamoClients } from '../../test/helpers/local-aws.ts';
import { measureEvaluation } from '../evaluate/measure.ts';
import { realisticEvents, type UnitEvent } from '../worker/mix.ts';

const PRICES = process.env.BENCH_PRICES ?? new URL('./prices-2026-11.json', import.meta.url).pathname;
const WORKER_EVENTS = Number(process.env.BENCH_EVENTS ?? 8_000);

/** The load and the deployment, as assumed; every figure below that is not measured comes from here. */
const load = {
  eventsPerDay: Number(process.env.BENCH_EVENTS_PER_DAY ?? 1_500_000),
  daysPerMonth: 30,
  units: 83,
  agenciesPerUnit: 100,
  /** A unit sends what happened since its last request; 1.5M events a day over 83 units is ~12 a minute. */
  eventsPerRequest: Number(process.env.BENCH_EVENTS_PER_REQUEST ?? 20),
  heartbeatsPerUnitPerMinute: 1,
  evaluationsPerDay: 96, // every 15 minutes, infra's default
  /** Write units per heartbeat: the latest value, and the five-minute history item when it moves on. */
  heartbeatWriteUnits: 2,
  memoryGb: { ingest: 1, worker: 1, heartbeatWorker: 1, evaluate: 2 },
  /** Lambda's START, END and REPORT lines, and one HTTP API access-log line per request. */
  logBytesPerInvocation: 350,
  logBytesPerApiRequest: 300,
  logRetentionMonths: 12,
  /** Ingest containers kept warm; each reads the key pepper once per 5-minute cache. */
  warmIngestContainers: 10,
  /** Event-source pollers long-polling an idle queue every 20 s, three queues. */
  idlePollsPerMonth: 3 * 5 * 3 * 60 * 24 * 30,
  /** The worker receives and deletes messages in batches of the deployed event-source mapping's size. */
  receiveBatch: mappingSettings('dossier-events', 'deployed').batchSize,
  dossierRetentionDays: 400,
  eventsPerDossier: 5,
  /**
   * Days an archive object of a year's steady state spends in each class under the data bucket's prod rule:
   * Standard 30, Infrequent Access to day 90, Glacier Instant Retrieval after (kept 3 years, so a first
   * year's objects are all still there); objects under the rule's minimum size stay in Standard.
   */
  rawArchiveTiers: { standardDays: 30, iaDays: 60, glacierInstantDays: 365 - 90 },
  /** Every run's snapshot is kept 30 days, and one a day for two years (infra's lifecycle rules). */
  datedSnapshotDays: DATED_SNAPSHOT_DAYS,
  dailySnapshotDays: DAILY_SNAPSHOT_DAYS.prod,
  /** How much smaller a gzipped snapshot is than its JSON (7.7× on the demo's snapshots). */
  snapshotGzipRatio: 7.7,
  rawRetentionDays: RAW_RETENTION_DAYS.prod,
};

const pricesSchema = z.object({
  region: z.string(),
  asOf: z.string(),
  sqs: z.object({ standardPerMillionRequests: z.number(), billedChunkBytes: z.number() }),
  lambda: z.object({ arm64PerGbSecond: z.number(), perMillionRequests: z.number() }),
  apiGateway: z.object({ httpApiPerMillionRequests: z.number() }),
  dynamodb: z.object({
    onDemandPerMillionWriteUnits: z.number(),
    onDemandPerMillionReadUnits: z.number(),
    storagePerGbMonth: z.number(),
  }),
  s3: z.object({
    standardPerGbMonth: z.number(),
    standardIaPerGbMonth: z.number(),
    glacierInstantPerGbMonth: z.number(),
    putPer1000: z.number(),
    getPer1000: z.number(),
    transitionToIaPer1000: z.number(),
    transitionToGlacierInstantPer1000: z.number(),
    iaMinimumBilledObjectBytes: z.number(),
  }),
  cloudwatchLogs: z.object({ ingestionPerGb: z.number(), storagePerGbMonth: z.number() }),
  secretsManager: z.object({ perSecretMonth: z.number(), per10000ApiCalls: z.number() }),
  scheduler: z.object({ perMillionInvocations: z.number() }),
});

const GB = 1024 ** 3;

interface IngestFigures {
  messagesPerEvent: number;
  bytesPerMessage: number;
  msPerRequest: number;
  heartbeatMs: number;
  heartbeatMessageBytes: number;
}

/** The real dossier-events and heartbeat handlers over an in-memory queue: packing and handler time. */
async function measureIngest(eventsPerRequest: number): Promise<IngestFigures> {
  const h = ingestHarness({ clock: () => Date.parse('2026-11-23T03:30:00Z') });
  const key = h.keys.issue('H48');
  const requests = Math.max(20, Math.ceil(4_000 / eventsPerRequest));
  const bodies = Array.from({ length: requests }, (_, r) =>
    JSON.stringify({
      events: Array.from({ length: eventsPerRequest }, (_, i) => {
        const status = [2, 4, 9, 10][i % 4] ?? 2;
        return validEvent({
          eventId: `H48-${r}-${i}-${status}`,
          dossierCode: `000.00.53.H48-261120-${String(r * eventsPerRequest + i).padStart(6, '0')}`,
          agencyCode: `000.00.${String(10 + (i % 40)).padStart(2, '0')}.H48`,
          status,
          channel: i % 3 === 0 ? 1 : 2,
          dueAt: status >= 9 ? '2026-11-27T17:00:00+07:00' : undefined,
          satisfaction: status === 10 ? 4 : undefined,
        });
      }),
    }),
  );
  const events = bodies.map((body) => httpEvent({ body, headers: bearer(key) }));
  for (const event of events.slice(0, 10)) await h.routes.events(event, lambdaContext);
  h.queue.sent.length = 0;
  const started = process.hrtime.bigint();
  for (const event of events) {
    const response = await h.routes.events(event, lambdaContext);
    if (typeof response === 'object' && response.statusCode !== 202)
      throw new Error(`the cost bench's request was refused: ${response.statusCode} ${response.body}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sent = h.queue.sent.filter((entry) => entry.feed === 'dossier-events');
  const bytes = sent.reduce((sum, entry) => sum + Buffer.byteLength(entry.body), 0);
  const heartbeat = {
    body: JSON.stringify({ systemId: 'tthc-core', sentAt: '2026-11-23T10:29:00+07:00' }),
    headers: bearer(key),
  };
  for (let i = 0; i < 500; i++) await h.call('heartbeat', heartbeat);
  h.queue.sent.length = 0;
  const heartbeatStarted = process.hrtime.bigint();
  for (let i = 0; i < 2_000; i++) await h.call('heartbeat', heartbeat);
  const heartbeatSeconds = Number(process.hrtime.bigint() - heartbeatStarted) / 1e9;
  const heartbeatBytes = h.queue.sent.reduce((sum, entry) => sum + Buffer.byteLength(entry.body), 0);
  return {
    messagesPerEvent: sent.length / (requests * eventsPerRequest),
    bytesPerMessage: bytes / sent.length,
    msPerRequest: (seconds * 1000) / requests,
    heartbeatMs: (heartbeatSeconds * 1000) / 2_000,
    heartbeatMessageBytes: heartbeatBytes / Math.max(1, h.queue.sent.length),
  };
}

/** What each unit sends at national load: its events in order, `size` to a request, one queued message each. */
function requestsOf(events: readonly UnitEvent[], size: number): DossierEventsMessage[] {
  const byUnit = new Map<string, UnitEvent[]>();
  for (const event of events) byUnit.set(event.unitCode, [...(byUnit.get(event.unitCode) ?? []), event]);
  const messages: DossierEventsMessage[] = [];
  for (const [unitCode, unitEvents] of byUnit)
    for (let i = 0; i < unitEvents.length; i += size) {
      const chunk = unitEvents.slice(i, i + size);
      messages.push({
        v: 1,
        kind: 'dossier-events',
        unitCode,
        requestId: `${unitCode}-${i}`,
        acceptedAt: Math.max(...chunk.map((event) => event.occurredAt)),
        events: chunk.map(({ unitCode: _unit, ...event }) => event),
      });
    }
  return messages.sort((a, b) => a.acceptedAt - b.acceptedAt);
}

interface WorkerFigures {
  events: number;
  /** Counted from the requests as AWS bills them; what DynamoDB Local reported is kept beside it. */
  writeUnitsPerEvent: number;
  reportedWriteUnitsPerEvent: number;
  readUnitsPerEvent: number;
  msPerEvent: number;
  archiveObjectsPerEvent: number;
  archiveBytesPerEvent: number;
  /** Gzip bytes per event once compaction has merged each unit's objects of the day into one. */
  compactedBytesPerEvent: number;
  dossierItemBytes: number;
  naiveUpdatesPerEvent: number;
}

/** The real worker against DynamoDB Local, one batch at a time as one Lambda would run it. */
async function measureWorker(): Promise<WorkerFigures> {
  const dynamo = await startDynamoLocal();
  try {
    const { raw, doc } = dynamoClients(dynamo.endpoint);
    await createTables(raw, { state: 'cost-state', keys: 'cost-keys' });
    const options = countOptions(loadSettings({}));
    const events = realisticEvents(WORKER_EVENTS);
    const messages = requestsOf(events, load.eventsPerRequest);
    const meter = new CapacityMeter();
    // DynamoDB Local's reported units for transactions are not what AWS bills, so the billed units are also
    // counted from the requests: 2 per KB per item in a transaction (ConditionCheck counted too), 1 per KB
    // for a plain write, 1 per 4 KB for a strongly consistent read item, 0.5 per 4 KB for a query's page.
    const billed = { write: 0 };
    const kb = (item: unknown): number =>
      Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(item ?? {})) / 1024));
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as {
          TransactItems?: {
            Put?: { Item?: unknown };
            Update?: unknown;
            Delete?: unknown;
            ConditionCheck?: unknown;
          }[];
          Item?: unknown;
        };
        const name = context.commandName ?? '';
        if (name.startsWith('TransactWrite'))
          for (const item of input.TransactItems ?? [])
            billed.write += 2 * (item.Put ? kb(item.Put.Item) : 1);
        else if (/^(Put|Update|Delete)/.test(name)) billed.write += input.Item ? kb(input.Item) : 1;
        return next(args);
      },
      { step: 'initialize', name: 'costBilledUnits' },
    );
    const store = new DynamoDossierStore('cost-state', doc, meter);
    let archiveObjects = 0;
    let archiveBytes = 0;
    const dayLines = new Map<string, Set<string>>();
    const archive = {
      putDossierEvents: async (items: readonly { message: DossierEventsMessage }[]): Promise<void> => {
        archiveObjects++;
        archiveBytes += archiveObject(items.map((item) => item.message)).length;
        for (const { message } of items) {
          const lines = dayLines.get(message.unitCode) ?? new Set<string>();
          for (const event of message.events)
            lines.add(JSON.stringify({ unitCode: message.unitCode, acceptedAt: message.acceptedAt, event }));
          dayLines.set(message.unitCode, lines);
        }
      },
    };
    let poisoned = 0;
    let counted = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < messages.length; i += load.receiveBatch) {
      let pending = messages.slice(i, i + load.receiveBatch).map((message, j) => ({
        messageId: `${message.requestId}-${i + j}`,
        body: JSON.stringify(message),
        receiveCount: 1,
      }));
      for (let attempt = 0; pending.length > 0 && attempt < 10; attempt++) {
        const response = await processDossierEventBatch(pending, {
          store,
          archive,
          options,
          onPoison: () => {
            poisoned++;
          },
          onFailure: () => undefined,
          setAside: {
            setAside: async (_feed, events) => {
              poisoned += events.length;
            },
          },
          onCounted: (summary) => {
            counted += summary.events;
          },
          clock: Date.now,
        });
        const failed = new Set(response.failed);
        pending = pending.filter((record) => failed.has(record.messageId));
      }
      if (pending.length > 0) throw new Error(`${pending.length} records kept failing`);
    }
    if (poisoned > 0) throw new Error(`${poisoned} of the cost bench's messages were refused as poison`);
    console.log(`worker: ${counted} of ${events.length} events through the counting step`);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const scan = await doc.send(
      new ScanCommand({
        TableName: 'cost-state',
        FilterExpression: 'begins_with(pk, :d)',
        ExpressionAttributeValues: { ':d': 'D#' },
        Limit: 2_000,
      }),
    );
    const sizes = (scan.Items ?? []).map((item) => Buffer.byteLength(JSON.stringify(item)));
    let naiveUpdates = 0;
    for (const event of events) {
      const state = merge({}, event, options.rules);
      for (const cell of contributions(state, options.rules, options.dayOf).cells)
        for (const name of COUNTERS) if (cell.values[name]) naiveUpdates += 4; // agency and unit, day and month
    }
    return {
      events: events.length,
      writeUnitsPerEvent: billed.write / events.length,
      reportedWriteUnitsPerEvent: meter.writeUnits / events.length,
      readUnitsPerEvent: meter.readUnits / events.length,
      msPerEvent: (seconds * 1000) / events.length,
      archiveObjectsPerEvent: archiveObjects / events.length,
      archiveBytesPerEvent: archiveBytes / events.length,
      // What compaction writes: each unit's distinct lines, sorted, as one gzipped object (S3Archive.putDay).
      compactedBytesPerEvent:
        [...dayLines.values()].reduce(
          (total, lines) => total + gzipSync(`${[...lines].sort().join('\n')}\n`).length,
          0,
        ) / events.length,
      dossierItemBytes: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length),
      naiveUpdatesPerEvent: naiveUpdates / events.length,
    };
  } finally {
    await dynamo.stop();
  }
}

interface Line {
  item: string;
  ours: number;
  naive: number;
  basis: string;
}

async function main(): Promise<void> {
  const prices = pricesSchema.parse(JSON.parse(readFileSync(PRICES, 'utf8')));
  console.log(`prices: ${prices.region}, as of ${prices.asOf} (${PRICES.split('/').slice(-3).join('/')})`);
  const ingest = await measureIngest(load.eventsPerRequest);
  const ingestLarge = await measureIngest(1000);
  const worker = await measureWorker();
  const evaluation = await measureEvaluation(20, load.agenciesPerUnit);
  console.log(
    `measured: ingest ${ingest.messagesPerEvent.toFixed(4)} SQS messages/event at ${load.eventsPerRequest} events/request (${ingestLarge.messagesPerEvent.toFixed(4)} at 1000), ${Math.round(ingest.bytesPerMessage)} B/message, ${ingest.msPerRequest.toFixed(2)} ms/request, heartbeat ${ingest.heartbeatMs.toFixed(3)} ms; worker ${worker.writeUnitsPerEvent.toFixed(3)} billed WRU/event (DynamoDB Local reported ${worker.reportedWriteUnitsPerEvent.toFixed(3)}), ${worker.readUnitsPerEvent.toFixed(3)} RCU/event, ${worker.msPerEvent.toFixed(3)} ms/event, ${worker.archiveObjectsPerEvent.toFixed(4)} archive objects/event, ${Math.round(worker.archiveBytesPerEvent)} gzip B/event, dossier item ${Math.round(worker.dossierItemBytes)} B (${worker.events} events); naive ${worker.naiveUpdatesPerEvent.toFixed(2)} UpdateItem/event; evaluation of ${evaluation.units} units: ${evaluation.seconds.toFixed(2)} s, ${evaluation.readUnits.toFixed(0)} RCU, ${evaluation.snapshotObjects} objects, ${evaluation.snapshotBytes} B`,
  );

  const events = load.eventsPerDay * load.daysPerMonth;
  const requests = events / load.eventsPerRequest;
  const heartbeats = load.units * load.heartbeatsPerUnitPerMinute * 60 * 24 * load.daysPerMonth;
  const evaluations = load.evaluationsPerDay * load.daysPerMonth;
  const unitScale = load.units / evaluation.units;
  const sqsPrice = prices.sqs.standardPerMillionRequests / 1e6;
  const chunks = (bytes: number): number => Math.max(1, Math.ceil(bytes / prices.sqs.billedChunkBytes));
  /** SQS requests: send and receive are billed per 64 KB chunk, deletes in batches. */
  const sqsRequests = (messages: number, bytes: number): number =>
    messages * chunks(bytes) * 2 + messages / load.receiveBatch;
  const ourMessages = Math.max(events * ingest.messagesPerEvent, requests);
  const lambdaGbS = prices.lambda.arm64PerGbSecond;
  const lambdaReq = prices.lambda.perMillionRequests / 1e6;
  const workerInvocations = (messages: number): number => messages / load.receiveBatch;
  const logGb = (bytes: number): number => bytes / GB;
  const rawGbPerMonth = (events * worker.archiveBytesPerEvent) / GB;
  const tiers = load.rawArchiveTiers;
  const archiveObjectsPerMonth = events * worker.archiveObjectsPerEvent;
  const iaBilledGb = (objects: number, bytesEach: number): number =>
    (objects * Math.max(bytesEach, prices.s3.iaMinimumBilledObjectBytes)) / GB;
  const archiveObjectBytes = worker.archiveBytesPerEvent / worker.archiveObjectsPerEvent;
  /** Whether objects of this size are moved by the lifecycle rule at all (smaller ones stay in Standard). */
  const transitions = (bytesEach: number): boolean => bytesEach >= RAW_TRANSITION_MIN_BYTES;
  const archiveStorage = (objectsPerMonth: number, bytesEach: number, gbPerMonth = rawGbPerMonth): number =>
    transitions(bytesEach)
      ? (gbPerMonth * tiers.standardDays * prices.s3.standardPerGbMonth) / 30 +
        (iaBilledGb(objectsPerMonth, bytesEach) *
          (tiers.iaDays * prices.s3.standardIaPerGbMonth +
            tiers.glacierInstantDays * prices.s3.glacierInstantPerGbMonth)) /
          30
      : (gbPerMonth *
          (tiers.standardDays + tiers.iaDays + tiers.glacierInstantDays) *
          prices.s3.standardPerGbMonth) /
        30;
  const archiveRequests = (objectsPerMonth: number, bytesEach: number): number =>
    objectsPerMonth *
    ((prices.s3.putPer1000 +
      (transitions(bytesEach)
        ? prices.s3.transitionToIaPer1000 + prices.s3.transitionToGlacierInstantPer1000
        : 0)) /
      1000);
  // Compaction: each unit's closed day becomes one object, of an average unit's day of events; every batch
  // object is read once and deleted (DELETE is free), every day object written and read back; each run lists
  // every unit's days of its lookback (LIST is billed as PUT).
  const dayObjectsPerMonth = load.units * load.daysPerMonth;
  const dayObjectBytes = (load.eventsPerDay / load.units) * worker.compactedBytesPerEvent;
  const compactedGbPerMonth = (events * worker.compactedBytesPerEvent) / GB;
  const compactionListsPerMonth = load.units * (topology.compaction.lookbackDays + 2) * load.daysPerMonth;
  const compactionRequests =
    archiveObjectsPerMonth * ((prices.s3.putPer1000 + prices.s3.getPer1000) / 1000) +
    dayObjectsPerMonth * (prices.s3.getPer1000 / 1000) +
    archiveRequests(dayObjectsPerMonth, dayObjectBytes) +
    compactionListsPerMonth * (prices.s3.putPer1000 / 1000);
  /** Compacted batch objects stay 30 days more as noncurrent versions (the rule's noncurrent expiration). */
  const compactionStorage =
    archiveStorage(dayObjectsPerMonth, dayObjectBytes, compactedGbPerMonth) +
    (rawGbPerMonth * (30 + 1) * prices.s3.standardPerGbMonth) / 30;
  const dossiersStored = (load.eventsPerDay / load.eventsPerDossier) * load.dossierRetentionDays;
  const dossierGb = (dossiersStored * (worker.dossierItemBytes + 100)) / GB; // +100 B DynamoDB item overhead
  const evaluationReadUnits = evaluation.readUnits * unitScale * evaluations;
  const evaluationSeconds = evaluation.seconds * unitScale * evaluations;
  const snapshotPuts = evaluation.snapshotObjects * unitScale * evaluations;
  const runsPerDay = evaluations / 30;
  const snapshotGbStored =
    (evaluation.snapshotBytes * unitScale * (runsPerDay * load.datedSnapshotDays + load.dailySnapshotDays)) /
    GB;
  /** The naive design keeps every run's snapshot, uncompressed, as long as the daily copies. */
  const naiveSnapshotGbStored =
    (evaluation.snapshotBytes * unitScale * runsPerDay * load.dailySnapshotDays * load.snapshotGzipRatio) /
    GB;
  const naivePerEventMessages = events;
  const heartbeatLambda =
    heartbeats * (lambdaReq + (ingest.heartbeatMs / 1000) * load.memoryGb.ingest * lambdaGbS) +
    (heartbeats / load.receiveBatch) * lambdaReq;

  const lines: Line[] = [
    {
      item: 'API Gateway HTTP API requests',
      ours: (requests + heartbeats) * (prices.apiGateway.httpApiPerMillionRequests / 1e6),
      naive: (requests + heartbeats) * (prices.apiGateway.httpApiPerMillionRequests / 1e6),
      basis: `${load.eventsPerRequest} events/request (assumed), 1 heartbeat/unit/min`,
    },
    {
      item: 'Lambda ingest (requests + GB-s)',
      ours: requests * (lambdaReq + (ingest.msPerRequest / 1000) * load.memoryGb.ingest * lambdaGbS),
      naive: requests * (lambdaReq + (ingest.msPerRequest / 1000) * load.memoryGb.ingest * lambdaGbS),
      basis: `${ingest.msPerRequest.toFixed(2)} ms/request measured, ${load.memoryGb.ingest} GB`,
    },
    {
      item: 'SQS dossier events',
      ours: sqsRequests(ourMessages, ingest.bytesPerMessage) * sqsPrice,
      naive: sqsRequests(naivePerEventMessages, ingest.bytesPerMessage * ingest.messagesPerEvent) * sqsPrice,
      basis: `${(ourMessages / events).toFixed(4)} messages/event, ${Math.round(ingest.bytesPerMessage)} B; send + receive per 64 KB, delete per 10`,
    },
    {
      item: 'SQS heartbeats + idle polling',
      ours: (sqsRequests(heartbeats, ingest.heartbeatMessageBytes) + load.idlePollsPerMonth) * sqsPrice,
      naive: (sqsRequests(heartbeats, ingest.heartbeatMessageBytes) + load.idlePollsPerMonth) * sqsPrice,
      basis: '1 message per heartbeat; 5 pollers x 3 queues x 20 s long polls',
    },
    {
      item: 'Lambda workers (requests + GB-s)',
      ours:
        workerInvocations(ourMessages) * lambdaReq +
        ((events * worker.msPerEvent) / 1000) * load.memoryGb.worker * lambdaGbS +
        heartbeatLambda,
      naive:
        workerInvocations(naivePerEventMessages) * lambdaReq +
        ((events * worker.msPerEvent) / 1000) * load.memoryGb.worker * lambdaGbS +
        heartbeatLambda,
      basis: `${worker.msPerEvent.toFixed(3)} ms/event measured on DynamoDB Local, ${load.memoryGb.worker} GB; heartbeat ingest ${ingest.heartbeatMs.toFixed(3)} ms`,
    },
    {
      item: 'DynamoDB writes (on demand)',
      ours:
        (events * worker.writeUnitsPerEvent + heartbeats * load.heartbeatWriteUnits) *
        (prices.dynamodb.onDemandPerMillionWriteUnits / 1e6),
      naive:
        (events * worker.naiveUpdatesPerEvent + heartbeats * load.heartbeatWriteUnits) *
        (prices.dynamodb.onDemandPerMillionWriteUnits / 1e6),
      basis: `${worker.writeUnitsPerEvent.toFixed(3)} WRU/event counted from the requests vs ${worker.naiveUpdatesPerEvent.toFixed(2)} UpdateItem/event; heartbeats ${load.heartbeatWriteUnits} WRU (assumed)`,
    },
    {
      item: 'DynamoDB reads (on demand)',
      ours:
        (events * worker.readUnitsPerEvent + evaluationReadUnits) *
        (prices.dynamodb.onDemandPerMillionReadUnits / 1e6),
      naive: evaluationReadUnits * (prices.dynamodb.onDemandPerMillionReadUnits / 1e6),
      basis: `${worker.readUnitsPerEvent.toFixed(3)} RRU/event measured; evaluation ${Math.round(evaluation.readUnits * unitScale)} RRU/run x ${evaluations} runs`,
    },
    {
      item: 'DynamoDB storage',
      ours: dossierGb * prices.dynamodb.storagePerGbMonth,
      naive: 0,
      basis: `${Math.round(dossiersStored / 1e6)}M dossiers kept ${load.dossierRetentionDays} days x ${Math.round(worker.dossierItemBytes)} B measured (the naive design keeps no dossier state, and cannot deduplicate)`,
    },
    {
      item: 'Lambda evaluation (GB-s) + Scheduler',
      ours:
        evaluationSeconds * load.memoryGb.evaluate * lambdaGbS +
        evaluations * (lambdaReq + prices.scheduler.perMillionInvocations / 1e6),
      naive:
        evaluationSeconds * load.memoryGb.evaluate * lambdaGbS +
        evaluations * (lambdaReq + prices.scheduler.perMillionInvocations / 1e6),
      basis: `${(evaluation.seconds * unitScale).toFixed(1)} s/run (${evaluation.units} units measured, scaled to ${load.units}), every 15 min`,
    },
    {
      item: 'S3 raw archive requests + transitions',
      ours: compactionRequests,
      naive: archiveRequests(events, worker.archiveBytesPerEvent),
      basis: `${worker.archiveObjectsPerEvent.toFixed(4)} batch objects/event measured (one per unit and day of a worker batch of ${load.receiveBatch}), ${Math.round(archiveObjectBytes / 1024)} KB each, each PUT, then read once by the daily compaction; ${Math.round(dayObjectsPerMonth)} day objects a month (${load.units} units), ${Math.round(dayObjectBytes / 1024)} KB for an average unit: ${transitions(dayObjectBytes) ? 'moved to IA and Glacier IR' : 'kept in Standard'}; ${Math.round(compactionListsPerMonth)} LISTs; compaction's Lambda time not included`,
    },
    {
      item: 'S3 raw archive storage (month 12)',
      ours: compactionStorage,
      naive: archiveStorage(events, worker.archiveBytesPerEvent),
      basis: `${Math.round(worker.compactedBytesPerEvent)} gzip B/event in day objects (${Math.round(worker.archiveBytesPerEvent)} in batches); day objects of 128 KB or more: Standard 30 d, IA to 90 d, Glacier IR after (every unit-day assumed at the average's size); compacted batches 31 d in Standard as noncurrent versions; kept ${load.rawRetentionDays} d`,
    },
    {
      item: 'S3 snapshots PUTs + dated storage',
      ours: snapshotPuts * (prices.s3.putPer1000 / 1000) + snapshotGbStored * prices.s3.standardPerGbMonth,
      naive:
        snapshotPuts * (prices.s3.putPer1000 / 1000) + naiveSnapshotGbStored * prices.s3.standardPerGbMonth,
      basis: `${Math.round(evaluation.snapshotObjects * unitScale)} objects, ${((evaluation.snapshotBytes * unitScale) / 1e6).toFixed(1)} MB written per run (changed objects only, compressed where stored so), every run kept ${load.datedSnapshotDays} days and one a day ${load.dailySnapshotDays} days; naive: every run kept ${load.dailySnapshotDays} days uncompressed`,
    },
    {
      item: 'CloudWatch Logs ingestion + storage',
      ours: (() => {
        const invocations =
          requests +
          heartbeats +
          workerInvocations(ourMessages) +
          heartbeats / load.receiveBatch +
          evaluations;
        const gb = logGb(
          invocations * load.logBytesPerInvocation + (requests + heartbeats) * load.logBytesPerApiRequest,
        );
        return (
          gb *
          (prices.cloudwatchLogs.ingestionPerGb +
            load.logRetentionMonths * prices.cloudwatchLogs.storagePerGbMonth)
        );
      })(),
      naive: (() => {
        const invocations =
          requests + heartbeats + workerInvocations(events) + heartbeats / load.receiveBatch + evaluations;
        const gb = logGb(
          invocations * load.logBytesPerInvocation + (requests + heartbeats) * load.logBytesPerApiRequest,
        );
        return (
          gb *
          (prices.cloudwatchLogs.ingestionPerGb +
            load.logRetentionMonths * prices.cloudwatchLogs.storagePerGbMonth)
        );
      })(),
      basis: `${load.logBytesPerInvocation} B/invocation, ${load.logBytesPerApiRequest} B/API request (assumed), kept ${load.logRetentionMonths} months`,
    },
    {
      item: 'Secrets Manager (pepper)',
      ours:
        prices.secretsManager.perSecretMonth +
        ((load.warmIngestContainers * 12 * 24 * load.daysPerMonth) / 10_000) *
          prices.secretsManager.per10000ApiCalls,
      naive:
        prices.secretsManager.perSecretMonth +
        ((load.warmIngestContainers * 12 * 24 * load.daysPerMonth) / 10_000) *
          prices.secretsManager.per10000ApiCalls,
      basis: `1 secret; ${load.warmIngestContainers} warm containers x 1 call per 5 min (assumed)`,
    },
  ];

  const perMillion = (monthly: number): number => (monthly / events) * 1e6;
  const pad = (text: string, width: number): string => text.padEnd(width);
  const money = (value: number): string => `$${value.toFixed(value < 10 ? 3 : 2)}`.padStart(10);
  console.log(
    `\nnational load: ${load.eventsPerDay.toLocaleString('en')} events/day, ${(events / 1e6).toFixed(0)}M events/month, ${load.units} units`,
  );
  console.log(
    `${pad('item', 40)}${'ours $/M'.padStart(10)}${'ours $/mo'.padStart(10)}${'naive $/M'.padStart(10)}${'naive $/mo'.padStart(10)}  basis`,
  );
  for (const line of lines)
    console.log(
      `${pad(line.item, 40)}${money(perMillion(line.ours))}${money(line.ours)}${money(perMillion(line.naive))}${money(line.naive)}  ${line.basis}`,
    );
  const ours = lines.reduce((sum, line) => sum + line.ours, 0);
  const naive = lines.reduce((sum, line) => sum + line.naive, 0);
  console.log(
    `${pad('total', 40)}${money(perMillion(ours))}${money(ours)}${money(perMillion(naive))}${money(naive)}`,
  );
  console.log(
    `\n$ per million events: ${perMillion(ours).toFixed(3)} (target <= 1.00), naive ${perMillion(naive).toFixed(3)}; naive / ours = ${(naive / ours).toFixed(2)}x`,
  );
  console.log(
    JSON.stringify({
      prices: prices.asOf,
      load,
      measured: { ingest, ingestAt1000: ingestLarge, worker, evaluation },
      monthly: Object.fromEntries(lines.map((line) => [line.item, { ours: line.ours, naive: line.naive }])),
      perMillionEvents: { ours: perMillion(ours), naive: perMillion(naive) },
    }),
  );
}

await main();
