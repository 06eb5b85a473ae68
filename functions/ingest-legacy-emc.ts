import { ingestWiring } from '../shared/runtime/ingest-wiring.ts';

const { service, route } = ingestWiring();

/** POST /v1/compat/emc/{siteKey}/TrackingMCDT: the legacy EMC feed, form-urlencoded or JSON. */
export const handler = route({
  auth: 'site-key',
  accept: ['json', 'form'],
  handle: (body, principal, requestId, mode) => service.legacyEmc(body, principal, requestId, mode),
});
