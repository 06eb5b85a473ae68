import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy knows of a request when it decides: enough to aim a fault at one API call. */
export interface Exchange {
  method: string;
  path: string;
  /** `X-Amz-Target` of the JSON protocols (DynamoDB, SQS), e.g. `AmazonSQS.SendMessageBatch`. */
  target: string;
}

/**
 * What happens to one request: it passes; the connection is cut before it reaches the server (`reset`);
 * it reaches the server and the connection is cut before the answer comes back (`lost`: the write happened,
 * and the caller cannot know); or the proxy answers in the server's place.
 */
export type Verdict = 'pass' | 'reset' | 'lost' | { status: number; body: string; contentType: string };

export interface FaultProxy {
  url: string;
  /** Requests seen, and faults injected, by kind. */
  counts: { requests: number; reset: number; lost: number; answered: number };
  close(): Promise<void>;
}

/**
 * An HTTP proxy on loopback in front of one local server. Every request is buffered, judged by `decide`,
 * and then forwarded, cut or answered, so a test can make DynamoDB, SQS or S3 fail the way they fail in
 * production: refused calls, throttling, and connections lost in either direction.
 */
export async function startFaultProxy(
  upstream: string,
  decide: (exchange: Exchange) => Verdict,
): Promise<FaultProxy> {
  const target = new URL(upstream);
  const counts = { requests: 0, reset: 0, lost: 0, answered: 0 };
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      counts.requests++;
      const verdict = decide({
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        target: String(incoming.headers['x-amz-target'] ?? ''),
      });
      if (verdict === 'reset') {
        counts.reset++;
        incoming.socket.destroy();
        return;
      }
      if (typeof verdict === 'object') {
        counts.answered++;
        outgoing.writeHead(verdict.status, { 'content-type': verdict.contentType });
        outgoing.end(verdict.body);
        return;
      }
      const forwarded = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
          // A fresh connection per call: a pooled one the server has just closed would read as a fault.
          agent: false,
          timeout: 60_000,
        },
        (answer) => {
          if (verdict === 'lost') {
            counts.lost++;
            answer.resume();
            answer.on('end', () => incoming.socket.destroy());
            return;
          }
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => incoming.socket.destroy());
      forwarded.on('timeout', () => forwarded.destroy());
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
