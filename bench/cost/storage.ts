/**
 * Monthly S3 storage of the data bucket under its lifecycle rules, from measured object sizes: raw archive
 * objects are built exactly as the dossier worker writes them (one gzipped NDJSON object per unit and day of
 * a worker batch), from generated dossier streams, at several numbers of events per object. Objects under
 * 128 KB stay in Standard (the rule moves only larger ones, where Infrequent Access costs less); every object
 * expires after the retention period. The daily compaction then merges each unit's closed day into one
 * object: its size is measured the same way, on a day of one unit's generated events, and the monthly storage
 * is shown with the transitions applying to the day objects that reach 128 KB (the compacted batches stay 30
 * days as noncurrent versions in Standard). A snapshot's size and its gzip ratio are inputs: `bench:evaluate`
 * prints a run's bytes.
 *
 *   npx tsx bench/cost/storage.ts [eventsPerDay] [snapshotBytesPerRun] [snapshotGzipRatio] [evaluateEveryMinutes]
 */

import { gzipSync } from 'node:zlib';
import {
  DAILY_SNAPSHOT_DAYS,
  DATED_SNAPSHOT_DAYS,
  RAW_RETENTION_DAYS,
  RAW_TRANSITION_MIN_BYTES,
} from '../../infra/emc-stack.ts';
import { archiveObject } from '../../shared/adapters/s3-archive.ts';
import { generateStream, toMessages } from '../../test/helpers/dossier-streams.ts';

const [eventsArg, snapshotArg, ratioArg, everyArg] = process.argv.slice(2);
const EVENTS_PER_DAY = Number(eventsArg ?? 1_500_000);
const SNAPSHOT_BYTES = Number(snapshotArg ?? 2_000_000);
const GZIP_RATIO = Number(ratioArg ?? 7.7);
const EVERY_MINUTES = Number(everyArg ?? 15);
/** Units sending dossier events at national load (63 provinces and 20 ministries). */
const UNITS = 83;
/** S3 Infrequent Access and Glacier Instant Retrieval, ap-southeast-1 (prices-2026-11.json). */
const USD_PER_GB_MONTH_IA = 0.0138;
const USD_PER_GB_MONTH_GLACIER_IR = 0.005;
/** S3 Standard in ap-southeast-1, USD per GB-month and per 1,000 PUTs (public price list, 2026). */
const USD_PER_GB_MONTH = 0.025;
const USD_PER_1000_PUTS = 0.005;
const GB = 1024 ** 3;
const DAYS_PER_MONTH = 30.4;

function rawBytesPerEvent(eventsPerMessage: number): { perObject: number; perEvent: number } {
  const events = generateStream(5, { dossiers: Math.max(200, eventsPerMessage * 2) });
  const messages = toMessages(events, eventsPerMessage).filter((m) => m.events.length === eventsPerMessage);
  const sizes = messages.map((message) => archiveObject([message]).length);
  const perObject = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  return { perObject, perEvent: perObject / eventsPerMessage };
}

const rows: string[][] = [];
for (const eventsPerMessage of [1, 10, 100, 1000]) {
  const { perObject, perEvent } = rawBytesPerEvent(eventsPerMessage);
  const objectsPerDay = EVENTS_PER_DAY / eventsPerMessage;
  const storedGb = (EVENTS_PER_DAY * perEvent * RAW_RETENTION_DAYS.prod) / GB;
  rows.push([
    String(eventsPerMessage),
    `${(perObject / 1024).toFixed(1)} KB`,
    `${Math.round(objectsPerDay * DAYS_PER_MONTH).toLocaleString('en')}`,
    `${storedGb.toFixed(1)} GB`,
    `$${(storedGb * USD_PER_GB_MONTH).toFixed(2)}`,
    `$${((objectsPerDay * DAYS_PER_MONTH * USD_PER_1000_PUTS) / 1000).toFixed(2)}`,
  ]);
}
console.log(
  `raw/ at ${EVENTS_PER_DAY.toLocaleString('en')} events a day, kept ${RAW_RETENTION_DAYS.prod} days (steady state):`,
);
console.log('(generated streams repeat more than real ones: real objects compress less)');
console.log(
  `events/object | object size | PUTs a month | stored | storage/month | PUTs/month (objects under ${RAW_TRANSITION_MIN_BYTES / 1024} KB stay in Standard)`,
);
for (const row of rows) console.log(row.join(' | '));

/**
 * A compacted day object's gzip bytes per event: one unit's events of a day, one line each with its unit and
 * acceptance time, sorted and gzipped as `S3Archive.putDay` writes them.
 */
function compactedBytesPerEvent(events: number): number {
  const stream = generateStream(7, { dossiers: Math.max(50, Math.round(events / 5)), units: ['H31'] });
  const acceptedAt = Date.parse('2026-11-30T03:00:00Z');
  const lines = toMessages(stream, 10, acceptedAt)
    .flatMap((message) =>
      message.events.map((event) => JSON.stringify({ unitCode: message.unitCode, acceptedAt, event })),
    )
    .slice(0, events)
    .sort();
  return gzipSync(`${lines.join('\n')}\n`).length / lines.length;
}

const perUnitDay = EVENTS_PER_DAY / UNITS;
const compactedPerEvent = compactedBytesPerEvent(Math.min(20_000, Math.round(perUnitDay)));
const batchPerEvent = rawBytesPerEvent(10).perEvent;
const minEvents = Math.ceil(RAW_TRANSITION_MIN_BYTES / compactedPerEvent);
console.log(
  `\ncompacted: one object per unit and Vietnam day, ${UNITS} units, ${Math.round(perUnitDay).toLocaleString('en')} events per unit-day on average:`,
);
console.log(
  `${compactedPerEvent.toFixed(1)} gzip B/event in a day object (${batchPerEvent.toFixed(1)} in 10-event batch objects); a unit-day reaches ${RAW_TRANSITION_MIN_BYTES / 1024} KB at ${minEvents.toLocaleString('en')} events`,
);
console.log('share of average | events/day | day object | moved to IA/Glacier');
for (const share of [0.05, 0.25, 1, 4]) {
  const bytes = perUnitDay * share * compactedPerEvent;
  console.log(
    `${share}× | ${Math.round(perUnitDay * share).toLocaleString('en')} | ${(bytes / 1024).toFixed(0)} KB | ${bytes >= RAW_TRANSITION_MIN_BYTES ? 'yes' : 'no (stays in Standard)'}`,
  );
}
const dayGb = (EVENTS_PER_DAY * compactedPerEvent) / GB;
const retention = RAW_RETENTION_DAYS.prod;
const standardGb = dayGb * 30;
const iaGb = dayGb * 60;
const glacierGb = dayGb * (retention - 90);
const noncurrentGb = (EVENTS_PER_DAY * batchPerEvent * 31) / GB;
const compactedMonthly =
  standardGb * USD_PER_GB_MONTH +
  iaGb * USD_PER_GB_MONTH_IA +
  glacierGb * USD_PER_GB_MONTH_GLACIER_IR +
  noncurrentGb * USD_PER_GB_MONTH;
const uncompactedMonthly = ((EVENTS_PER_DAY * batchPerEvent * retention) / GB) * USD_PER_GB_MONTH;
console.log(
  `steady state, kept ${retention} days: Standard ${standardGb.toFixed(1)} GB (30 d) + IA ${iaGb.toFixed(1)} GB (to day 90) + Glacier IR ${glacierGb.toFixed(1)} GB + compacted batches as noncurrent versions ${noncurrentGb.toFixed(1)} GB (31 d, Standard) = $${compactedMonthly.toFixed(2)}/month`,
);
console.log(
  `without compaction (10-event batches, all Standard): ${((EVENTS_PER_DAY * batchPerEvent * retention) / GB).toFixed(1)} GB = $${uncompactedMonthly.toFixed(2)}/month`,
);

const ratio = GZIP_RATIO;
const runsPerDay = (24 * 60) / EVERY_MINUTES;
const datedPlain = (SNAPSHOT_BYTES * runsPerDay * DATED_SNAPSHOT_DAYS) / GB;
const datedGzip = datedPlain / ratio;
const dailyGzip = (SNAPSHOT_BYTES * DAILY_SNAPSHOT_DAYS.prod) / ratio / GB;
const keptBefore = (SNAPSHOT_BYTES * runsPerDay * 730) / GB;
console.log(
  `\nsnapshots at ${(SNAPSHOT_BYTES / 1e6).toFixed(1)} MB a run (input), every ${EVERY_MINUTES} minutes; gzip ratio ${ratio.toFixed(1)}× (input):`,
);
console.log(
  `before: every run kept 730 days, plain: ${keptBefore.toFixed(0)} GB, $${(keptBefore * USD_PER_GB_MONTH).toFixed(2)}/month`,
);
console.log(
  `now: every run kept ${DATED_SNAPSHOT_DAYS} days gzipped ${datedGzip.toFixed(1)} GB + one a day for ${DAILY_SNAPSHOT_DAYS.prod} days gzipped ${dailyGzip.toFixed(2)} GB = $${((datedGzip + dailyGzip) * USD_PER_GB_MONTH).toFixed(2)}/month`,
);
