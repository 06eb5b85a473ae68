import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { KeyVerifier, Principal } from '../domain/auth/api-keys.ts';
import { ClientError } from '../domain/errors.ts';
import type { UnitLimiter } from '../domain/ingest/rate-limit.ts';
import type { IngestResult } from '../domain/ingest/service.ts';
import { logger } from '../observability/index.ts';
import { type MediaType, parseBody } from './body.ts';
import { jsonResponse, problemResponse } from './problem.ts';

export interface RouteSpec {
  /** Where the key is: the Authorization header, or the legacy feed's `{siteKey}` path segment. */
  auth: 'bearer' | 'site-key';
  accept: readonly MediaType[];
  handle(body: unknown, principal: Principal, requestId: string): Promise<IngestResult>;
}

export interface HttpDeps {
  verifier: () => Promise<KeyVerifier>;
  limiter: UnitLimiter;
  maxBodyBytes: number;
}

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

function presentedKey(event: APIGatewayProxyEventV2, auth: RouteSpec['auth']): string | undefined {
  if (auth === 'site-key') return event.pathParameters?.siteKey;
  const header = event.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
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
    const body = parseBody(event, spec.accept, deps.maxBodyBytes);
    const result = await spec.handle(body, principal, requestId);
    return jsonResponse(result.status, result.body);
  };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: async (request) => {
        const error = request.error;
        if (error instanceof ClientError) {
          logger.info('request refused', { status: error.status, reason: error.name, detail: error.message });
        } else {
          logger.error('request failed', { error: error instanceof Error ? error : String(error) });
        }
        request.response = problemResponse(error, request.event.requestContext?.requestId);
      },
    })
    .handler(core);
}
