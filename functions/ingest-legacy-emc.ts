import { ValidationError } from '../shared/domain/errors.ts';
import { fieldErrors } from '../shared/domain/ingest/issues.ts';
import { ingestWiring } from '../shared/http/ingest-wiring.ts';
import { legacyEmcSchema } from '../shared/schemas/legacy-emc.ts';

const { service, route } = ingestWiring();

/** POST /v1/compat/emc/{siteKey}/TrackingMCDT: the legacy EMC feed, form-urlencoded or JSON. */
export const handler = route({
  auth: 'site-key',
  accept: ['json', 'form'],
  handle: (body, principal, requestId) => {
    const parsed = legacyEmcSchema.safeParse(body);
    if (!parsed.success) {
      throw new ValidationError('The TrackingMCDT record is not valid.', {
        errors: fieldErrors(parsed.error),
      });
    }
    return service.legacyEmc(parsed.data, principal, requestId);
  },
});
