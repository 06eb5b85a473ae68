import { recordHeartbeatsHandler } from '../shared/runtime/worker-wiring.ts';

/** SQS heartbeats queue → last-seen time per unit and system. */
export const handler = recordHeartbeatsHandler();
