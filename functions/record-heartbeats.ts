import { z } from 'zod';
import { DynamoFailureLog } from '../shared/adapters/dynamo-failure-log.ts';
import { DynamoUnitReportStore } from '../shared/adapters/dynamo-unit-status.ts';
import { processClock } from '../shared/config/clock.ts';
import { readEnv } from '../shared/config/env.ts';
import { processHeartbeatBatch } from '../shared/domain/worker/unit-reports.ts';
import { sqsHandler } from '../shared/runtime/sqs-handler.ts';

const env = readEnv(z.object({ STATE_TABLE: z.string().min(3) }));
const store = new DynamoUnitReportStore(env.STATE_TABLE);

/** SQS heartbeats queue → last-seen time per unit and system. */
export const handler = sqsHandler(
  'heartbeats',
  (records, report) => processHeartbeatBatch(records, { store, ...report }),
  new DynamoFailureLog(env.STATE_TABLE, undefined, processClock()),
);
