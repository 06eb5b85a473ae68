import { S3ObjectReader } from '../shared/adapters/s3-object-reader.ts';
import { SqsQueueAdmin } from '../shared/adapters/sqs-queue-admin.ts';
import { operatorStatus, type StatusReport } from '../shared/app/status.ts';
import type { Target } from './context.ts';

export type { StatusReport } from '../shared/app/status.ts';

/** `emc status` on a target: its queues and its published snapshot. */
export function status(target: Target): Promise<StatusReport> {
  return operatorStatus({
    queues: new SqsQueueAdmin(),
    published: new S3ObjectReader(target.bucket),
    feeds: target.queues,
    now: target.clock(),
  });
}
