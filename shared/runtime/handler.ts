import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { KeyVerifier, Principal } from '../domain/auth/api-keys.ts';
import { ValidationError } from '../domain/errors.ts';
import type { UnitLimiter } from '../domain/ingest/rate-limit.ts';
import { refusalsOfError } from '../domain/ingest/refusals.ts';
import type { IngestResult, RequestMode } from '../domain/ingest/service.ts';
import type { Clock, Refusal, RefusalLogPort } from '../domain/ports.ts';
import { logger } from '../observability/index.ts';
import { type MediaType, parseBody } from './body.ts';
import { httpProblems, observed } from './observe.ts';
import { jsonResponse } from './problem.ts';

export interface RouteSpec {
  /** Where the key is: the Authorization header, or the legacy feed's `{siteKey}` path segment. */
  auth: 'bearer' | 'site-key';
  accept: readonly MediaType[];
  handle(body: unknown, principal: Principal, requestId: string, mode: RequestMode): Promise<IngestResult>;
}

export interface HttpDeps {
  verifier: () => Promise<KeyVerifier>;
  limiter: UnitLimiter;
  maxBodyBytes: number;
  /** Where refusals of authenticated requests are counted, so the unit can read them back (GET /v1/me). */
  refusals?: RefusalLogPort;
  clock: Clock;
}

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

/** The key of an `Authorization: Bearer <key>` header; '' for a malformed header, undefined for none. */
export function bearerKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '';
}

function presentedKey(event: APIGatewayProxyEventV2, auth: RouteSpec['auth']): string | undefined {
  if (auth === 'site-key') return event.pathParameters?.siteKey;
  return bearerKey(event.headers.authorization);
}

/** `?dryRun=true` or `?dryRun=false`; anything else is refused rather than silently taken as a real call. */
export function requestMode(event: APIGatewayProxyEventV2): RequestMode {
  const value = event.queryStringParameters?.dryRun;
  if (value === undefined || value === 'false') return { dryRun: false };
  if (value === 'true') return { dryRun: true };
  throw new ValidationError('The query parameter dryRun must be true or false.', {
    errors: [{ path: 'dryRun', message: `must be true or false, not ${JSON.stringify(value).slice(0, 40)}` }],
  });
}

/** The legacy feed has no event ids a sender knows: its refusals name the dossier code it sent. */
function asLegacy(refusals: Refusal[], body: unknown): Refusal[] {
  const code =
    typeof body === 'object' && body !== null && 'codeProfile' in body ? body.codeProfile : undefined;
  return refusals.map(({ eventId: _eventId, ...rest }) =>
    typeof code === 'string' ? { ...rest, codeProfile: code.slice(0, 64) } : rest,
  );
}

/**
 * Wiring shared by every ingest function: authenticate, rate-limit, parse, then one call into the domain.
 * Authentication comes first so an unauthenticated client learns nothing about the body rules.
 */
export function httpHandler(spec: RouteSpec, deps: HttpDeps): HttpHandler {
  const core = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    const requestId = event.requestContext?.requestId ?? randomUUID();
    const verifier = await deps.verifier();
    const principal = await verifier.verify(presentedKey(event, spec.auth));
    logger.appendKeys({ unitCode: principal.unitCode });
    await deps.limiter.take(principal.unitCode);
    const mode = requestMode(event);
    let body: unknown;
    let result: IngestResult;
    try {
      body = parseBody(event, spec.accept, deps.maxBodyBytes);
      result = await spec.handle(body, principal, requestId, mode);
    } catch (error) {
      if (!mode.dryRun) await record(principal.unitCode, refusalsOfError(error), body);
      throw error;
    }
    if (!mode.dryRun && result.refusals) await record(principal.unitCode, result.refusals, body);
    return jsonResponse(result.status, result.body);
  };
  /** Best effort: a refusal log that cannot be written never turns the answer into a 5xx. */
  const record = async (unitCode: string, refusals: Refusal[], body: unknown): Promise<void> => {
    if (!deps.refusals || refusals.length === 0) return;
    const shown = spec.auth === 'site-key' ? asLegacy(refusals, body) : refusals;
    await deps.refusals.record(unitCode, deps.clock(), shown).catch((error: unknown) => {
      logger.warn('refusals not recorded', { error: error instanceof Error ? error.message : String(error) });
    });
  };
  return observed<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().use(httpProblems()).handler(core);
}
