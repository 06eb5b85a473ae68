import { ingestWiring } from '../shared/runtime/ingest-wiring.ts';

const { service, route } = ingestWiring();

/** POST /v1/heartbeats */
export const handler = route({
  auth: 'bearer',
  accept: ['json'],
  handle: (body, principal, _requestId, mode) => service.heartbeat(body, principal, mode),
});
