import { ingestWiring } from '../shared/runtime/ingest-wiring.ts';

const { service, route } = ingestWiring();

/** POST /v1/daily-totals */
export const handler = route({
  auth: 'bearer',
  accept: ['json'],
  handle: (body, principal, _requestId, mode) => service.dailyTotals(body, principal, mode),
});
