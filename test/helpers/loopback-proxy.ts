import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request, read whole before the proxy decides what to do with it. */
export interface BufferedRequest {
  method: string;
  path: string;
  /** `X-Amz-Target` of the JSON protocols (DynamoDB, SQS), e.g. `AmazonSQS.SendMessageBatch`. */
  target: string;
  body: Buffer;
}

/** What a proxy can do with a request: pass it on, answer in the server's place, or cut the connection. */
export interface ProxyActions {
  /**
   * Forwards the request on a fresh connection. `onAnswer` may take the answer over (and return true);
   * otherwise it is piped back as it came. `onDone` runs once the answer has ended or the call failed.
   */
  forward(options?: { onAnswer?: (answer: IncomingMessage) => boolean; onDone?: () => void }): void;
  answer(status: number, contentType: string, body: string): void;
  /** Cuts the caller's connection. */
  reset(): void;
}

export interface LoopbackProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on loopback in front of one local server, the base of the tests' fault and conflict
 * proxies: every request is buffered and handed to `handle`, which forwards, answers or cuts it.
 */
export async function startLoopbackProxy(
  upstream: string,
  handle: (request: BufferedRequest, actions: ProxyActions) => void,
): Promise<LoopbackProxy> {
  const target = new URL(upstream);
  const actionsFor = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer): ProxyActions => ({
    forward({ onAnswer, onDone } = {}) {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        onDone?.();
      };
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
          answer.on('end', finish);
          answer.on('error', finish);
          if (onAnswer?.(answer)) return;
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => {
        finish();
        incoming.socket.destroy();
      });
      forwarded.on('timeout', () => forwarded.destroy());
      forwarded.end(body);
    },
    answer(status, contentType, text) {
      outgoing.writeHead(status, { 'content-type': contentType });
      outgoing.end(text);
    },
    reset() {
      incoming.socket.destroy();
    },
  });
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      handle(
        {
          method: incoming.method ?? 'GET',
          path: incoming.url ?? '/',
          target: String(incoming.headers['x-amz-target'] ?? ''),
          body,
        },
        actionsFor(incoming, outgoing, body),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
