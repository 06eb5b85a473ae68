import { countDossierEventsHandler } from '../shared/runtime/worker-wiring.ts';

/** SQS dossier-events queue → exact counters in DynamoDB, and the raw archive in S3. */
export const handler = countDossierEventsHandler();
