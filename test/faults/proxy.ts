import { startLoopbackProxy } from '../helpers/loopback-proxy.ts';

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
  const counts = { requests: 0, reset: 0, lost: 0, answered: 0 };
  const proxy = await startLoopbackProxy(upstream, ({ method, path, target }, actions) => {
    counts.requests++;
    const verdict = decide({ method, path, target });
    if (verdict === 'reset') {
      counts.reset++;
      actions.reset();
    } else if (typeof verdict === 'object') {
      counts.answered++;
      actions.answer(verdict.status, verdict.contentType, verdict.body);
    } else if (verdict === 'lost') {
      actions.forward({
        onAnswer(answer) {
          counts.lost++;
          answer.resume();
          answer.on('end', () => actions.reset());
          return true;
        },
      });
    } else {
      actions.forward();
    }
  });
  return { ...proxy, counts };
}
