import { z } from 'zod';
import { loadSettings } from '../shared/config/settings.ts';
import { criteriaFor } from '../shared/domain/evaluation/compliance.ts';
import { connectionRules } from '../shared/domain/me/describe-unit.ts';
import { acceptedSchema, apiSchemas, problemSchema } from '../shared/schemas/api.ts';
import { legacyEmcSchema } from '../shared/schemas/legacy-emc.ts';
import { meSchema } from '../shared/schemas/me.ts';
import { type IngestFunctionName, topology } from '../shared/topology.ts';

type JsonObject = Record<string, unknown>;

/** One operation under the path and method the topology manifest gives its function. */
function operation(name: IngestFunctionName, spec: JsonObject): Record<string, JsonObject> {
  const fn = topology.ingest.find((candidate) => candidate.name === name);
  if (!fn) throw new Error(`${name} is not an HTTP function of shared/topology.ts`);
  return { [fn.trigger.path]: { [fn.trigger.method.toLowerCase()]: spec } };
}

/**
 * The OpenAPI 3.1 document, built from the same zod schemas the handlers validate with, so the contract
 * integrators code against cannot drift from what the API enforces.
 */
export function buildOpenApi(): JsonObject {
  const config = loadSettings({});
  const api = apiSchemas(config);
  const registry = z.registry<{ id: string }>();
  const ref = (id: string, schema: z.ZodType): JsonObject => {
    registry.add(schema, { id });
    return { $ref: `#/components/schemas/${id}` };
  };
  ref('DossierEvent', api.dossierEvent);
  ref('Procedure', api.procedure);
  const eventsRequest = ref(
    'DossierEventsRequest',
    api.dossierEventsRequest.extend({
      events: z
        .array(api.dossierEvent)
        .min(1)
        .max(config.ingest.maxEventsPerRequest)
        .meta({
          description: `1 to ${config.ingest.maxEventsPerRequest} dossier events.`,
          examples: [
            [
              {
                eventId: 'H48-0099-1',
                dossierCode: '000.00.10.H48-261120-0099',
                procedureCode: '1.001234',
                status: 1,
                occurredAt: '2026-11-20T08:00:00+07:00',
              },
            ],
          ],
        }),
    }),
  );
  const problem = ref('Problem', problemSchema);
  const accepted = ref('Accepted', acceptedSchema);
  const heartbeat = ref('Heartbeat', api.heartbeat);
  const catalog = ref('Catalog', api.catalog);
  const dailyTotals = ref('DailyTotals', api.dailyTotals);
  const legacy = ref('LegacyTrackingMCDT', legacyEmcSchema);
  const me = ref('Me', meSchema);
  const problemResponse = (description: string, slug: string): JsonObject => ({
    description: `${description} Type \`urn:emc:problem:${slug}\`; see docs/integrating.md#problem-${slug}.`,
    content: { 'application/problem+json': { schema: problem } },
  });
  const errors = {
    '400': problemResponse(
      'Nothing in the request was valid. Every error is listed, with its path and reason.',
      'validation',
    ),
    '401': problemResponse(
      'No key, a malformed key, an unknown key, a revoked key, or a key past the end of its rotation overlap.',
      'unauthorized',
    ),
    '403': problemResponse('The body names a unit or agency that is not the key’s unit.', 'forbidden'),
    '410': problemResponse(
      'The key’s unit was merged or split away and the operator’s rule for retired codes is "reject". The detail names the successor to send data as.',
      'unit-retired',
    ),
    '413': problemResponse(
      `The body is over ${config.ingest.maxBodyBytes} bytes after decompression.`,
      'payload-too-large',
    ),
    '415': problemResponse('The Content-Type or Content-Encoding is not accepted.', 'unsupported-media-type'),
    '429': problemResponse('The unit is over its request rate. See Retry-After.', 'rate-limited'),
    '503': problemResponse(
      'The queue cannot take the data now. Retry after Retry-After; event ids make it safe.',
      'unavailable',
    ),
  };
  const gzip = {
    name: 'Content-Encoding',
    in: 'header',
    required: false,
    description: 'Send `gzip` to compress the body; the limit applies after decompression.',
    schema: { type: 'string', enum: ['gzip', 'identity'] },
  };
  const dryRun = {
    name: 'dryRun',
    in: 'query',
    required: false,
    description:
      'With `true`, the request is authenticated, validated, rate-limited and answered exactly as a real one, with `"dryRun": true` added to the body, and nothing is queued, counted or archived. Try a new sender with it before sending real data.',
    schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
    example: 'true',
  };
  const jsonBody = (schema: JsonObject, example: unknown): JsonObject => ({
    required: true,
    content: { 'application/json': { schema, example } },
  });
  const acceptedResponse = (description: string, real: JsonObject): JsonObject => ({
    description,
    content: {
      'application/json': {
        schema: accepted,
        examples: {
          accepted: { summary: 'Accepted', value: real },
          dryRun: { summary: 'The same request with ?dryRun=true', value: { ...real, dryRun: true } },
        },
      },
    },
  });
  // The defaults as GET /v1/me states them for a unit without overrides: the late time as the evaluation applies it.
  const rules = connectionRules(criteriaFor(config, ''), []);
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  for (const schema of Object.values(schemas)) {
    delete (schema as JsonObject).$schema;
    delete (schema as JsonObject).$id;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'EMC monitoring ingest API',
      version: '1.0.0',
      description: [
        'Units (ministries, sectors and provinces) send connection heartbeats, dossier events, their procedure catalogue and their own daily totals. Every write needs the unit’s API key as `Authorization: Bearer <key>`; a key writes only its own unit’s data. Every write takes `?dryRun=true`. `GET /v1/me` shows the unit what the ministry sees. A guide for the unit’s developer: docs/integrating.md.',
        '',
        'Connection rules (defaults; GET /v1/me shows the unit’s own values, which the operator may override per unit):',
        `- heartbeat: each registered system every ${rules.heartbeat.expectedEverySeconds} s; a system is late after ${rules.heartbeat.lateAfterSeconds} s without one (the longest of ${rules.heartbeat.graceSeconds} s, ${rules.heartbeat.missedHeartbeats} missed heartbeats and two evaluation intervals), and once every system is late the connection is interrupted;`,
        `- dossier feed: silent after ${rules.dossierFeed.silenceHours} h without an accepted dossier event;`,
        `- catalogue: stale ${rules.catalog.maxAgeDays} days after the last PUT /v1/catalog;`,
        `- reconciliation (đối soát): the reported daily totals of the last ${rules.reconciliation.lookbackDays} days, today excluded, must match the counted figures within ${rules.reconciliation.absoluteTolerance} dossier(s) plus ${rules.reconciliation.tolerance * 100}% of the larger figure; daily totals are ${rules.reconciliation.required ? 'required' : 'optional, but totals that are posted are checked'}.`,
      ].join('\n'),
    },
    servers: [{ url: 'http://localhost:3000', description: 'Local stack (npm start)' }],
    components: {
      schemas,
      securitySchemes: {
        unitKey: { type: 'http', scheme: 'bearer', description: 'The unit’s API key (emc_…).' },
      },
    },
    security: [{ unitKey: [] }],
    paths: {
      ...operation('ingest-dossier-events', {
        operationId: 'postDossierEvents',
        summary: 'Send 1 to 1000 dossier status changes',
        parameters: [gzip, dryRun],
        requestBody: jsonBody(eventsRequest, {
          events: [
            {
              eventId: 'H48-0099-9',
              dossierCode: '000.00.10.H48-261120-0099',
              procedureCode: '1.001234',
              agencyCode: '000.00.10.H48',
              status: 9,
              channel: 2,
              onlineLevel: 'full',
              occurredAt: '2026-11-23T09:00:00+07:00',
              receivedAt: '2026-11-20T08:00:00+07:00',
              dueAt: '2026-11-27T17:00:00+07:00',
              supplementRequests: 0,
              payment: { required: true, online: true, amountVnd: 50000 },
              digitized: true,
              electronicResult: true,
            },
          ],
        }),
        responses: {
          '202': acceptedResponse('At least one event is queued; invalid ones are listed.', {
            accepted: 1,
            rejected: [],
          }),
          ...errors,
        },
      }),
      ...operation('ingest-heartbeats', {
        operationId: 'postHeartbeat',
        summary: 'Report that one of the unit’s systems is alive',
        parameters: [dryRun],
        requestBody: jsonBody(heartbeat, {
          systemId: 'tthc',
          sentAt: '2026-11-23T09:30:00+07:00',
          softwareVersion: 'opencps-2.4.1',
          pendingDossiers: 0,
        }),
        responses: {
          '202': acceptedResponse('The heartbeat is queued.', { accepted: 1, rejected: [] }),
          ...errors,
        },
      }),
      ...operation('ingest-catalog', {
        operationId: 'putCatalog',
        summary: `Replace the unit’s procedure catalogue (up to ${config.ingest.maxCatalogProcedures} procedures)`,
        parameters: [gzip, dryRun],
        requestBody: jsonBody(catalog, {
          procedures: [
            {
              procedureCode: '1.001234',
              name: 'Cấp giấy phép xây dựng',
              onlineLevel: 'full',
              feeBearing: true,
            },
          ],
        }),
        responses: {
          '202': acceptedResponse('The catalogue is queued.', {
            accepted: 1,
            rejected: [],
            syncId: '1764036000000-3f2a9c1e-8d4b-4e8f-9a51-2b7c0d6e4f10',
          }),
          ...errors,
        },
      }),
      ...operation('ingest-daily-totals', {
        operationId: 'postDailyTotals',
        summary: 'Report the unit’s own daily totals for reconciliation (đối soát)',
        parameters: [dryRun],
        requestBody: jsonBody(dailyTotals, {
          days: [
            { date: '2026-11-22', received: 812, receivedOnline: 344, resolved: 790, resolvedOnTime: 771 },
          ],
        }),
        responses: {
          '202': acceptedResponse('The totals are queued.', { accepted: 1, rejected: [] }),
          ...errors,
        },
      }),
      ...operation('ingest-legacy-emc', {
        operationId: 'postLegacyTrackingMCDT',
        summary: 'The legacy EMC feed: switch an existing sender by changing only its URL',
        description:
          'Takes the record TTHC systems already send to EMC, form-urlencoded or JSON. The unit’s API key is the `siteKey`. Success is 204 with an empty body: OpenCPS’s JSON path counts only 204 as delivered. The key’s sender profile (`generic`, `opencps`, `dichvucong-dotnet`) says which fields carry information and how codes map: legacy statuses 0→1, 1→2, 2→4, 3→10; the channel comes from `formsReception` alone, and `isDVCBC` is the result’s delivery by post; the receipt day and agency come from the dossier code. See docs/senders/.',
        security: [],
        parameters: [
          {
            name: 'siteKey',
            in: 'path',
            required: true,
            description: 'The unit’s API key.',
            schema: { type: 'string' },
          },
          dryRun,
        ],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: legacy,
              example:
                'codeProfile=000.00.10.H48-261123-0042&codeTTHC=1.000494&status=1&formsReception=1&level=4',
            },
            'application/json': { schema: legacy },
          },
        },
        responses: {
          '204': { description: 'Queued. There is no body.' },
          '200': {
            description:
              'A dry run: nothing was queued. The body is `{"dryRun": true}`, with `warnings` when there are some.',
            content: { 'application/json': { example: { dryRun: true } } },
          },
          ...errors,
        },
      }),
      ...operation('describe-own-unit', {
        operationId: 'getMe',
        summary: 'What the ministry sees of the key’s unit: verdict, arrivals, refusals, connection rules',
        description:
          'Authenticated with the unit’s key, which alone decides the unit shown: no parameter can name another. The verdict and the dossier counts are those the last evaluation published; heartbeats and refusals are live. Refusals cover the last 7 days (Vietnam time), today included: each refused event counts once, under the reason of its first error; a request refused as a whole counts once. See docs/integrating.md.',
        responses: {
          '200': {
            description: 'The unit’s view.',
            content: {
              'application/json': {
                schema: me,
                example: {
                  unitCode: 'H48',
                  key: {
                    prefix: 'Ab3dE5gH9jKl',
                    createdAt: '2026-11-01T02:00:00.000Z',
                    expiresAt: null,
                    lastUsedAt: '2026-11-23T02:25:00.000Z',
                  },
                  verdict: {
                    status: 'partial',
                    reasons: [
                      {
                        code: 'heartbeat_missing:portal',
                        message: {
                          vi: 'Hệ thống portal chưa từng gửi tín hiệu kết nối.',
                          en: 'System portal has never sent a heartbeat.',
                        },
                      },
                    ],
                    since: '2026-11-22T01:00:00.000Z',
                    evaluatedAt: '2026-11-23T02:30:00.000Z',
                  },
                  arrivals: {
                    asOf: '2026-11-23T02:30:00.000Z',
                    today: { dossiersReceived: 41, dossiersReceivedOnline: 17, dossiersResolved: 38 },
                    last7Days: {
                      dossiersReceived: 812,
                      dossiersReceivedOnline: 344,
                      dossiersResolved: 790,
                    },
                    lastHeartbeatBySystem: [
                      { systemId: 'tthc', lastSeenAt: '2026-11-23T02:28:00.000Z', registered: true },
                    ],
                    lastDossierEventAt: '2026-11-23T02:29:10.000Z',
                    catalogSyncedAt: '2026-11-20T01:00:00.000Z',
                  },
                  refusals: {
                    from: '2026-11-17',
                    to: '2026-11-23',
                    total: 3,
                    byReason: [
                      {
                        reason: 'missing-field',
                        count: 3,
                        examples: [
                          {
                            at: '2026-11-23T02:20:00.000Z',
                            path: 'events[4].receivedAt',
                            message: 'is required with status 2: the dossier has been received',
                            eventId: 'H48-0099-2',
                          },
                        ],
                      },
                    ],
                  },
                  connectionRules: {
                    heartbeat: {
                      expectedEverySeconds: rules.heartbeat.expectedEverySeconds,
                      graceSeconds: rules.heartbeat.graceSeconds,
                    },
                    dossierFeed: { silenceHours: rules.dossierFeed.silenceHours },
                    catalog: { maxAgeDays: rules.catalog.maxAgeDays },
                    reconciliation: {
                      tolerance: rules.reconciliation.tolerance,
                      lookbackDays: rules.reconciliation.lookbackDays,
                      todayExcluded: true,
                    },
                    registeredSystems: ['tthc', 'portal'],
                  },
                },
              },
            },
          },
          '401': errors['401'],
          '410': errors['410'],
          '429': errors['429'],
        },
      }),
      ...operation('health', {
        operationId: 'getHealth',
        summary: 'Liveness of the API',
        security: [],
        responses: { '200': { description: 'The API answers.' } },
      }),
    },
  };
}

export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApi(), null, 2)}\n`;
}
