import { meHandler } from '../shared/runtime/me-wiring.ts';

/** GET /v1/me: what the ministry sees of the key's own unit. */
export const handler = meHandler();
