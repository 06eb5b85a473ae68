import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { S3ObjectReader } from '../shared/adapters/s3-object-reader.ts';
import { type Problem, problemOf } from '../shared/runtime/problem.ts';
import { lambdaContext } from './lambda-context.ts';

export type HttpLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface Route {
  method: string;
  /** `/v1/compat/emc/{siteKey}/TrackingMCDT` style; `{name}` matches one path segment. */
  path: string;
  name: string;
  handler: HttpLambda;
}

export interface GatewayOptions {
  routes: Route[];
  /** The bucket the evaluation publishes to, served under `/snapshots/` as CloudFront does. */
  snapshots: S3ObjectReader;
  siteDir: string;
  health: () => { ready: boolean; components: Record<string, boolean> };
  /** The stack's clock: request times, and the Date header the dashboard reads as "now". */
  clock: () => number;
}

/** API Gateway's own limit on a request body, before the handler applies the API's 1 MiB rule. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.csv': 'text/csv; charset=utf-8',
};

/**
 * Snapshots compressed as CloudFront serves them: Brotli when the client takes it, else gzip, else as
 * stored. Quality 5 keeps a 1 MB unit file under a few milliseconds.
 */
export function compressed(
  bytes: Buffer,
  acceptEncoding: string | undefined,
): { encoding: 'br' | 'gzip' | null; body: Buffer } {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => q?.trim() !== 'q=0')
      .map(([name]) => name?.trim().toLowerCase()),
  );
  if (bytes.length < 1024) return { encoding: null, body: bytes };
  if (accepted.has('br'))
    return {
      encoding: 'br',
      body: brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } }),
    };
  if (accepted.has('gzip')) return { encoding: 'gzip', body: gzipSync(bytes, { level: 6 }) };
  return { encoding: null, body: bytes };
}

/**
 * What to send for an object as stored: one stored gzipped (dated and daily snapshots) goes out as it is to a
 * client that takes gzip, as CloudFront does, and inflated for one that does not; anything else is
 * compressed as the client accepts.
 */
export function servedBody(
  bytes: Buffer,
  storedEncoding: string | undefined,
  acceptEncoding: string | undefined,
): { encoding: 'br' | 'gzip' | null; body: Buffer } {
  if (storedEncoding !== 'gzip') return compressed(bytes, acceptEncoding);
  if (/(^|,)\s*gzip\s*(,|;(?!\s*q=0\b)|$)/i.test(acceptEncoding ?? ''))
    return { encoding: 'gzip', body: bytes };
  return compressed(gunzipSync(bytes), acceptEncoding);
}

function matcher(path: string): RegExp {
  return new RegExp(`^${path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
}

/** The gateway's own answers (no route, wrong method, body too large, its own fault) in the API's problem+json. */
function problem(res: ServerResponse, answer: Problem): void {
  const response = problemOf(answer);
  res.writeHead(response.statusCode, response.headers);
  res.end(response.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(
  now: number,
  req: IncomingMessage,
  url: URL,
  route: Route,
  params: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const textual = !headers['content-encoding'] || headers['content-encoding'] === 'identity';
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.fromEntries(url.searchParams),
    pathParameters: params,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: textual ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !textual,
  };
}

/**
 * The bucket key a `/snapshots/…` path names, or undefined unless it is plainly inside `snapshots/`. The
 * path is decoded before it becomes a key, so an encoded `..%2F` (or a backslash, an empty or a dot segment)
 * could otherwise reach the alert and raw archives that share the bucket; CloudFront's grant in AWS is
 * likewise `snapshots/*` only.
 */
export function snapshotKey(pathname: string): string | undefined {
  let key: string;
  try {
    key = decodeURIComponent(pathname.slice(1));
  } catch {
    return undefined;
  }
  if (!key.startsWith('snapshots/') || /[\\%]/.test(key)) return undefined;
  if ([...key].some((char) => char.charCodeAt(0) < 0x20)) return undefined;
  const segments = key.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  return key;
}

/**
 * The local stand-in for API Gateway and CloudFront: API routes become payload-v2 events for the real
 * handlers; `/snapshots/…` is served from the snapshot bucket; everything else from the built dashboard.
 */
export function createGateway(options: GatewayOptions): Server {
  const routes = options.routes.map((route) => ({ ...route, pattern: matcher(route.path) }));
  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/v1/health') {
        const health = options.health();
        res.writeHead(health.ready ? 200 : 503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status: health.ready ? 'ok' : 'starting',
            components: health.components,
            time: new Date(options.clock()).toISOString(),
          }),
        );
        return;
      }
      if (url.pathname.startsWith('/v1/')) {
        const candidates = routes.filter((route) => route.pattern.test(url.pathname));
        const route = candidates.find((candidate) => candidate.method === req.method);
        if (!route) {
          if (candidates.length > 0) {
            problem(res, {
              kind: 'method-not-allowed',
              title: 'Method not allowed',
              detail: `${req.method} is not accepted here; use ${candidates.map((c) => c.method).join(' or ')}.`,
              headers: { allow: candidates.map((c) => c.method).join(', ') },
            });
          } else
            problem(res, {
              kind: 'not-found',
              title: 'No such resource',
              detail: `${url.pathname} is not part of the API; see docs/openapi.json.`,
            });
          return;
        }
        const body = await readBody(req);
        if (!body) {
          problem(res, {
            kind: 'too-large',
            title: 'The body is too large',
            detail: `The gateway accepts at most ${MAX_REQUEST_BYTES} bytes.`,
          });
          return;
        }
        const params = route.pattern.exec(url.pathname)?.groups ?? {};
        const result = await route.handler(
          toEvent(options.clock(), req, url, route, { ...params }, body),
          lambdaContext(route.name),
        );
        const response = typeof result === 'string' ? { statusCode: 200, body: result, headers: {} } : result;
        res.writeHead(response.statusCode ?? 200, (response.headers ?? {}) as Record<string, string>);
        res.end(response.body ?? '');
        return;
      }
      if (url.pathname.startsWith('/snapshots/') && (req.method === 'GET' || req.method === 'HEAD')) {
        const key = snapshotKey(url.pathname);
        try {
          if (key === undefined) throw new Error('not a snapshot key');
          const object = await options.snapshots.get(key);
          if (object === undefined) throw new Error('not published');
          const { encoding, body } = servedBody(
            object.bytes,
            object.contentEncoding,
            req.headers['accept-encoding'],
          );
          res.writeHead(200, {
            'content-type': object.contentType ?? 'application/octet-stream',
            'cache-control': object.cacheControl ?? 'no-cache',
            'access-control-allow-origin': '*',
            vary: 'accept-encoding',
            ...(encoding ? { 'content-encoding': encoding } : {}),
            date: new Date(options.clock()).toUTCString(),
          });
          res.end(req.method === 'HEAD' ? undefined : body);
        } catch {
          problem(res, {
            kind: 'not-found',
            title: 'No such snapshot',
            detail: `${url.pathname} has not been published yet. The first evaluation publishes it.`,
          });
        }
        return;
      }
      const relative = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
      let file = join(options.siteDir, relative);
      if (!file.startsWith(`${options.siteDir}${sep}`) || !existsSync(file) || statSync(file).isDirectory())
        file = join(options.siteDir, 'index.html');
      if (!existsSync(file)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<!doctype html><html lang="vi"><meta charset="utf-8"><title>EMC</title><body><h1>EMC monitor</h1><p>The dashboard is not built (npm run build:site). Snapshots: <a href="/snapshots/latest.json">/snapshots/latest.json</a></p></body></html>',
        );
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    } catch (error) {
      problem(res, {
        kind: 'internal',
        title: 'Internal error',
        detail: 'The local gateway failed; see its log.',
      });
      console.error(error);
    }
  });
}
