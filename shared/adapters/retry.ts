/** Exponential backoff with full jitter; `attempt` counts from 0. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'InternalFailure',
  'TransactionConflictException',
  'RequestThrottled',
  'TimeoutError',
]);

/** Throttling and transient server faults, which are worth another try after a pause. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown }).$metadata;
  return RETRYABLE.has(error.name) || (meta?.httpStatusCode ?? 0) >= 500;
}
