import { ingestWiring } from '../shared/runtime/ingest-wiring.ts';

const { service, route } = ingestWiring();

/** PUT /v1/catalog */
export const handler = route({
  auth: 'bearer',
  accept: ['json'],
  handle: (body, principal, _requestId, mode) => service.catalog(body, principal, mode),
});
