import { evaluationHandler } from '../shared/runtime/evaluation-wiring.ts';

/**
 * Scheduled every 15 minutes; `{ "at": "<ISO time>" }` evaluates as of that time, read-only. See
 * `evaluationHandler` for what is counted and logged.
 */
export const handler = evaluationHandler();
