import { z } from 'zod';
import { DynamoUnitReportStore } from '../shared/adapters/dynamo-unit-status.ts';
import { readEnv } from '../shared/config/env.ts';
import { processHeartbeatBatch } from '../shared/domain/worker/unit-reports.ts';
import { logFailure, logPoison, sqsHandler } from '../shared/lambda/sqs-handler.ts';

const env = readEnv(z.object({ STATE_TABLE: z.string().min(3) }));
const store = new DynamoUnitReportStore(env.STATE_TABLE);

/** SQS heartbeats queue → last-seen time per unit and system. */
export const handler = sqsHandler((records) =>
  processHeartbeatBatch(records, { store, onPoison: logPoison, onFailure: logFailure }),
);
