import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { loadSettings, type Settings } from '../../shared/config/settings.ts';
import { issueKey, KeyVerifier } from '../../shared/domain/auth/api-keys.ts';
import { RateLimiter } from '../../shared/domain/ingest/rate-limit.ts';
import { IngestService } from '../../shared/domain/ingest/service.ts';
import type {
  KeyLookupPort,
  ProcedureCatalogPort,
  QueuePort,
  RefusalLogPort,
  StoredKey,
  UnitDirectoryPort,
} from '../../shared/domain/ports.ts';
import { type HttpHandler, httpHandler, type RouteSpec } from '../../shared/runtime/handler.ts';
import { keyPolicy } from '../../shared/runtime/ingest-wiring.ts';
import { apiSchemas } from '../../shared/schemas/api.ts';
import type { SenderProfileName } from '../../shared/schemas/legacy-emc.ts';
import type { Feed } from '../../shared/schemas/queue.ts';
import { type HttpRequest, httpEvent, lambdaContext } from '../fixtures/index.ts';

export const PEPPER = 'test-pepper-0123456789abcdef0123456789abcdef';
export const NOW = Date.parse('2026-11-23T03:30:00Z');

export class MemoryKeys implements KeyLookupPort {
  readonly records = new Map<string, StoredKey>();
  issue(unitCode: string, sender?: SenderProfileName): string {
    const { key, record } = issueKey(PEPPER, unitCode, NOW, sender);
    this.records.set(record.prefix, record);
    return key;
  }
  readonly touches: { prefix: string; at: number }[] = [];
  async findByPrefix(prefix: string): Promise<StoredKey | undefined> {
    const record = this.records.get(prefix);
    return record && { ...record };
  }
  async touch(prefix: string, at: number): Promise<void> {
    this.touches.push({ prefix, at });
  }
}

export class RecordingQueue implements QueuePort {
  readonly sent: { feed: Feed; body: string }[] = [];
  failWith: Error | undefined;
  async send(feed: Feed, bodies: readonly string[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    for (const body of bodies) this.sent.push({ feed, body });
  }
  messages(feed: Feed): unknown[] {
    return this.sent.filter((entry) => entry.feed === feed).map((entry) => JSON.parse(entry.body));
  }
}

export interface Harness {
  keys: MemoryKeys;
  queue: RecordingQueue;
  config: Settings;
  service: IngestService;
  routes: Record<'events' | 'heartbeat' | 'catalog' | 'dailyTotals' | 'legacy', HttpHandler>;
  call(route: keyof Harness['routes'], request: HttpRequest): Promise<Response>;
}

export interface Response {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: () => unknown;
}

/** The real ingest handlers, wired to in-memory ports instead of SQS and DynamoDB. */
export function ingestHarness(
  options: {
    clock?: () => number;
    rate?: [number, number];
    config?: Settings;
    directory?: UnitDirectoryPort;
    catalogue?: ProcedureCatalogPort;
    refusals?: RefusalLogPort;
  } = {},
): Harness {
  const clock = options.clock ?? (() => NOW);
  const config = options.config ?? loadSettings({});
  const keys = new MemoryKeys();
  const queue = new RecordingQueue();
  const service = new IngestService({
    queue,
    schemas: apiSchemas(config),
    config,
    clock,
    ...(options.directory && { directory: options.directory }),
    ...(options.catalogue && { catalogue: options.catalogue }),
  });
  const [perSecond, burst] = options.rate ?? [1_000_000, 1_000_000];
  const verifier = new KeyVerifier(keys, PEPPER, 0, clock, keyPolicy(config));
  const deps = {
    verifier: async () => verifier,
    limiter: new RateLimiter(perSecond, burst, clock),
    maxBodyBytes: config.ingest.maxBodyBytes,
    clock,
    ...(options.refusals && { refusals: options.refusals }),
  };
  const route = (spec: RouteSpec): HttpHandler => httpHandler(spec, deps);
  const routes = {
    events: route({
      auth: 'bearer',
      accept: ['json'],
      handle: (b, p, r, m) => service.dossierEvents(b, p, r, m),
    }),
    heartbeat: route({
      auth: 'bearer',
      accept: ['json'],
      handle: (b, p, _r, m) => service.heartbeat(b, p, m),
    }),
    catalog: route({ auth: 'bearer', accept: ['json'], handle: (b, p, _r, m) => service.catalog(b, p, m) }),
    dailyTotals: route({
      auth: 'bearer',
      accept: ['json'],
      handle: (b, p, _r, m) => service.dailyTotals(b, p, m),
    }),
    legacy: route({
      auth: 'site-key',
      accept: ['json', 'form'],
      handle: (b, p, r, m) => service.legacyEmc(b, p, r, m),
    }),
  };
  return {
    keys,
    queue,
    config,
    service,
    routes,
    async call(name, request) {
      const result = (await routes[name](httpEvent(request), lambdaContext)) as Exclude<
        APIGatewayProxyResultV2,
        string
      >;
      const text = result.body ?? '';
      return {
        status: result.statusCode ?? 0,
        headers: (result.headers ?? {}) as Record<string, string>,
        text,
        json: () => JSON.parse(text),
      };
    },
  };
}

/** A valid resolved-dossier event; override any field. */
export function validEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: 'evt-1',
    dossierCode: '000.00.53.H48-261120-0099',
    procedureCode: '1.001234',
    agencyCode: '000.00.53.H48',
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
    fromNationalPortal: false,
    ...overrides,
  };
}

export const bearer = (key: string): Record<string, string> => ({
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
});
