import { compactionHandler } from '../shared/runtime/compaction-wiring.ts';

/**
 * Scheduled daily after Vietnam midnight; `{ "day": "YYYY-MM-DD" }` compacts that closed day only. See
 * `compactionHandler`.
 */
export const handler = compactionHandler();
