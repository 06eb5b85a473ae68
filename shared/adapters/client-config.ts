import { ENV } from '../config/env-names.ts';

/**
 * What every AWS SDK client of the pipeline is built with. The SDK waits for ever on a connection that
 * opened and then went silent (a server that restarts, a dropped packet): in Lambda that costs the whole
 * function timeout and, for a worker, the batch. With these limits the call fails fast, the SDK's own retry
 * runs, and after that the caller's: a refused request answers 503, a worker's records reappear.
 */
export const CLIENT_DEFAULTS = {
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
} as const;

/** Whether S3 is addressed by path (s3rver on the local stack) rather than by virtual host. */
export function s3PathStyle(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[ENV.s3PathStyle] === 'true';
}
