import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { isRetryable } from '../adapters/retry.ts';
import { ClientError, type ErrorKind } from '../domain/errors.ts';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The domain's kinds, and those only the edge meets: a path or method the API lacks, and a fault of ours. */
export type ProblemKind = ErrorKind | 'not-found' | 'method-not-allowed' | 'internal';

/**
 * The one map from a kind to HTTP: its status, and the last part of its problem `type` URN, which
 * docs/integrating.md explains under the anchor `#problem-<slug>`.
 */
export const PROBLEMS: Record<ProblemKind, { status: number; slug: string }> = {
  invalid: { status: 400, slug: 'validation' },
  unauthenticated: { status: 401, slug: 'unauthorized' },
  forbidden: { status: 403, slug: 'forbidden' },
  'not-found': { status: 404, slug: 'not-found' },
  'method-not-allowed': { status: 405, slug: 'method-not-allowed' },
  retired: { status: 410, slug: 'unit-retired' },
  'too-large': { status: 413, slug: 'payload-too-large' },
  'unsupported-media-type': { status: 415, slug: 'unsupported-media-type' },
  'rate-limited': { status: 429, slug: 'rate-limited' },
  internal: { status: 500, slug: 'internal' },
  unavailable: { status: 503, slug: 'unavailable' },
};

/** The status an error answers with: a client error's by its kind, anything else 500. */
export function statusOf(error: unknown): number {
  return PROBLEMS[error instanceof ClientError ? error.kind : 'internal'].status;
}

export interface Problem {
  kind: ProblemKind;
  title: string;
  detail: string;
  errors?: unknown[];
  instance?: string;
  retryAfterSeconds?: number;
  /** Extra headers, such as `allow` on a 405. */
  headers?: Record<string, string>;
}

/** RFC 9457 problem details for one problem; the local gateway answers its own 404/405/413 with it too. */
export function problemOf(problem: Problem): HttpResponse {
  const { status, slug } = PROBLEMS[problem.kind];
  const body: Record<string, unknown> = {
    type: `urn:emc:problem:${slug}`,
    title: problem.title,
    status,
    detail: problem.detail,
  };
  if (problem.errors) body.errors = problem.errors;
  if (problem.instance) body.instance = problem.instance;
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/problem+json',
      ...(problem.kind === 'unauthenticated' ? { 'www-authenticate': 'Bearer realm="emc"' } : {}),
      ...(problem.retryAfterSeconds !== undefined
        ? { 'retry-after': String(problem.retryAfterSeconds) }
        : {}),
      ...(problem.headers ?? {}),
    },
    body: JSON.stringify(body),
  };
}

/**
 * The answer to an error thrown by a handler. Internal errors get a generic text: their details stay in the
 * logs.
 */
export function problemResponse(error: unknown, instance?: string): HttpResponse {
  if (!(error instanceof ClientError) && isUnavailable(error))
    return problemOf({
      kind: 'unavailable',
      title: 'The service is unavailable for a moment',
      detail: 'Send the request again after the time in Retry-After: event ids make a resend safe.',
      retryAfterSeconds: 5,
      ...(instance ? { instance } : {}),
    });
  if (!(error instanceof ClientError))
    return problemOf({
      kind: 'internal',
      title: 'Internal error',
      detail: 'The request could not be processed. It is safe to retry.',
      ...(instance ? { instance } : {}),
    });
  return problemOf({
    kind: error.kind,
    title: error.title,
    detail: error.message,
    ...(error.errors ? { errors: error.errors } : {}),
    ...(instance ? { instance } : {}),
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
  });
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
