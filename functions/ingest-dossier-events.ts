import { ingestWiring } from '../shared/runtime/ingest-wiring.ts';

const { service, route } = ingestWiring();

/** POST /v1/dossier-events */
export const handler = route({
  auth: 'bearer',
  accept: ['json'],
  handle: (body, principal, requestId, mode) => service.dossierEvents(body, principal, requestId, mode),
});
