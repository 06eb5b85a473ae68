import { z } from 'zod';
import { DynamoDossierStore } from '../adapters/dynamo-dossier-store.ts';
import { DynamoFailureLog } from '../adapters/dynamo-failure-log.ts';
import { DynamoUnitReportStore } from '../adapters/dynamo-unit-report-store.ts';
import { S3Archive } from '../adapters/s3-archive.ts';
import { processClock } from '../config/clock.ts';
import { readEnv } from '../config/env.ts';
import { ENV } from '../config/env-names.ts';
import { settings } from '../config/settings.ts';
import { processDossierEventBatch } from '../domain/worker/dossier-batch.ts';
import { countOptions } from '../domain/worker/options.ts';
import { processHeartbeatBatch, processReportBatch } from '../domain/worker/unit-reports.ts';
import { MetricUnit, metrics } from '../observability/index.ts';
import { topology } from '../topology.ts';
import { type SqsHandler, sqsHandler } from './sqs-handler.ts';

const stateEnv = z.object({ [ENV.stateTable]: z.string().min(3) });

/**
 * The dossier-events worker: exact counters in DynamoDB and the raw archive in S3. What it counted is
 * recorded as metrics (events, dossiers changed, duplicates dropped, ingest-to-count lag).
 */
export function countDossierEventsHandler(): SqsHandler {
  const env = readEnv(stateEnv.extend({ [ENV.archiveBucket]: z.string().min(3) }));
  const clock = processClock();
  const store = new DynamoDossierStore(env[ENV.stateTable], undefined, undefined, undefined, clock);
  const archive = new S3Archive(env[ENV.archiveBucket]);
  const options = countOptions(settings());
  const failureLog = new DynamoFailureLog(env[ENV.stateTable], undefined, clock);
  return sqsHandler(
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
    topology.workers['dossier-events'].maxReceiveCount,
  );
}

/** The heartbeats worker: last-seen time per unit and system. */
export function recordHeartbeatsHandler(): SqsHandler {
  const env = readEnv(stateEnv);
  const store = new DynamoUnitReportStore(env[ENV.stateTable]);
  return sqsHandler(
    'heartbeats',
    (records, report) => processHeartbeatBatch(records, { store, ...report }),
    new DynamoFailureLog(env[ENV.stateTable], undefined, processClock()),
    topology.workers.heartbeats.maxReceiveCount,
  );
}

/** The reports worker: procedure catalogues and self-reported daily totals. */
export function storeUnitReportsHandler(): SqsHandler {
  const env = readEnv(stateEnv);
  const store = new DynamoUnitReportStore(env[ENV.stateTable]);
  return sqsHandler(
    'reports',
    (records, report) => processReportBatch(records, { store, ...report }),
    new DynamoFailureLog(env[ENV.stateTable], undefined, processClock()),
    topology.workers.reports.maxReceiveCount,
  );
}
