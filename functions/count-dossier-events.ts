import { z } from 'zod';
import { DynamoDossierStore } from '../shared/adapters/dynamo-dossier-store.ts';
import { DynamoFailureLog } from '../shared/adapters/dynamo-failure-log.ts';
import { S3Archive } from '../shared/adapters/s3-archive.ts';
import { processClock } from '../shared/config/clock.ts';
import { readEnv } from '../shared/config/env.ts';
import { settings } from '../shared/config/settings.ts';
import { processDossierEventBatch } from '../shared/domain/worker/dossier-batch.ts';
import { countOptions } from '../shared/domain/worker/options.ts';
import { MetricUnit, metrics } from '../shared/observability/index.ts';
import { sqsHandler } from '../shared/runtime/sqs-handler.ts';

const env = readEnv(z.object({ STATE_TABLE: z.string().min(3), ARCHIVE_BUCKET: z.string().min(3) }));
const clock = processClock();
const store = new DynamoDossierStore(env.STATE_TABLE, undefined, undefined, undefined, clock);
const archive = new S3Archive(env.ARCHIVE_BUCKET);
const options = countOptions(settings());
const failureLog = new DynamoFailureLog(env.STATE_TABLE, undefined, clock);

/** SQS dossier-events queue → exact counters in DynamoDB, and the raw archive in S3. */
export const handler = sqsHandler(
  'dossier-events',
  (records, report) =>
    processDossierEventBatch(records, {
      store,
      archive,
      setAside: failureLog,
      options,
      clock,
      ...report,
      onCounted: (summary) => {
        metrics.addMetric('EventsCounted', MetricUnit.Count, summary.events);
        metrics.addMetric('DossiersChanged', MetricUnit.Count, summary.changed);
        metrics.addMetric('DuplicatesDropped', MetricUnit.Count, summary.unchanged);
        metrics.addMetric('IngestToCountLag', MetricUnit.Milliseconds, summary.maxLagMs);
      },
    }),
  failureLog,
);
