import { backoffMs, isRetryable, sleep } from './retry.ts';

/**
 * Runs a DynamoDB call, retrying throttling and transient faults with jittered backoff. After the last
 * attempt the error propagates, so the caller reports its SQS records as failed and nothing is lost.
 */
export async function withRetry<T>(call: () => Promise<T>, attempts = 8, baseMs = 25): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt + 1 >= attempts || !isRetryable(error)) throw error;
      await sleep(backoffMs(attempt, baseMs, 1_000));
    }
  }
}
