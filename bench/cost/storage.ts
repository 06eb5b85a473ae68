/**
 * Monthly S3 storage of the data bucket under its lifecycle rules, from measured object sizes: raw archive
 * objects are built exactly as the dossier worker writes them (one gzipped NDJSON object per unit and day of
 * a worker batch), from generated dossier streams, at several numbers of events per object. Objects under
 * 128 KB stay in Standard (the rule moves only larger ones, where Infrequent Access costs less); every object
 * expires after the retention period. A snapshot's size and its gzip ratio are inputs: `bench:evaluate`
 * prints a run's bytes.
 *
 *   npm run bench:cost -- [eventsPerDay] [snapshotBytesPerRun] [snapshotGzipRatio] [evaluateEveryMinutes]
 */

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
