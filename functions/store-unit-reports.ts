import { storeUnitReportsHandler } from '../shared/runtime/worker-wiring.ts';

/** SQS reports queue → procedure catalogues and self-reported daily totals. */
export const handler = storeUnitReportsHandler();
