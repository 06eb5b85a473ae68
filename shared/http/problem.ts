import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { isRetryable } from '../adapters/retry.ts';
import { ClientError } from '../domain/errors.ts';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The last part of each problem `type` URN, by status; docs/integrating.md has an anchor for each. */
export const SLUGS: Record<number, string> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  410: 'unit-retired',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  500: 'internal',
  503: 'unavailable',
};

/**
 * RFC 9457 problem details. The `type` URNs are stable; docs/integrating.md explains each one under the
 * anchor `#problem-<slug>`. Internal errors get a generic text: their details stay in the logs. */
export function problemResponse(error: unknown, instance?: string): HttpResponse {
  if (!(error instanceof ClientError) && isUnavailable(error)) return unavailable(instance);
  const client = error instanceof ClientError ? error : undefined;
  const status = client?.status ?? 500;
  const problem: Record<string, unknown> = {
    type: `urn:emc:problem:${SLUGS[status] ?? 'error'}`,
    title: client?.title ?? 'Internal error',
    status,
    detail: client?.message ?? 'The request could not be processed. It is safe to retry.',
  };
  if (client?.errors) problem.errors = client.errors;
  if (instance) problem.instance = instance;
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...(client?.headers ?? {}) },
    body: JSON.stringify(problem),
  };
}

export function jsonResponse(statusCode: number, body?: unknown): APIGatewayProxyResultV2 & HttpResponse {
  if (body === undefined) return { statusCode, headers: {}, body: '' };
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Connection failures Node reports by code: the server is restarting, overloaded or out of reach. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * A dependency failed for now: AWS throttled or answered 5xx, or could not be reached. The request is not
 * wrong and the service is not broken, so the client is told to come back (503 with Retry-After); event ids
 * make the resend safe.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isRetryable(error) || (error as { $retryable?: unknown }).$retryable !== undefined) return true;
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK.has(code)) return true;
  }
  return false;
}

function unavailable(instance?: string): HttpResponse {
  const problem: Record<string, unknown> = {
    type: 'urn:emc:problem:unavailable',
    title: 'The service is unavailable for a moment',
    status: 503,
    detail: 'Send the request again after the time in Retry-After: event ids make a resend safe.',
  };
  if (instance) problem.instance = instance;
  return {
    statusCode: 503,
    headers: { 'content-type': 'application/problem+json', 'retry-after': '5' },
    body: JSON.stringify(problem),
  };
}
