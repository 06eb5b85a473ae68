import type { APIGatewayProxyResultV2 } from 'aws-lambda';
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
