import { z } from 'zod';
import { CachedUnitDirectory } from '../adapters/cached-unit-directory.ts';
import { DynamoKeyStore } from '../adapters/dynamo-key-store.ts';
import { DynamoRefusalLog } from '../adapters/dynamo-refusal-log.ts';
import { DynamoRegistry } from '../adapters/dynamo-registry.ts';
import { loadKeyPepper } from '../adapters/key-pepper.ts';
import { MeReader } from '../adapters/me-reader.ts';
import { processClock } from '../config/clock.ts';
import { readEnv } from '../config/env.ts';
import { ENV } from '../config/env-names.ts';
import { settings } from '../config/settings.ts';
import { KeyVerifier } from '../domain/auth/api-keys.ts';
import { RateLimiter } from '../domain/ingest/rate-limit.ts';
import { describeUnit } from '../domain/me/describe-unit.ts';
import { logger } from '../observability/index.ts';
import { topology } from '../topology.ts';
import { bearerKey, type HttpHandler } from './handler.ts';
import { keyPolicy } from './ingest-wiring.ts';
import { httpProblems, observed } from './observe.ts';

const envSchema = z.object({
  [ENV.keysTable]: z.string().min(3),
  [ENV.stateTable]: z.string().min(3),
  [ENV.snapshotBucket]: z.string().min(3),
  [ENV.evaluateEveryMinutes]: z.coerce.number().positive().optional(),
});

/** GET /v1/me: authenticated and rate-limited like ingest; the key alone decides which unit is shown. */
export function meHandler(): HttpHandler {
  const env = readEnv(envSchema);
  const config = settings();
  const clock = processClock();
  const keys = new DynamoKeyStore(env[ENV.keysTable]);
  const directory = new CachedUnitDirectory(
    new DynamoRegistry(env[ENV.stateTable]),
    config.ingest.registryCacheSeconds,
    clock,
  );
  const reader = new MeReader(
    env[ENV.stateTable],
    env[ENV.snapshotBucket],
    new DynamoRefusalLog(env[ENV.stateTable], config.time.utcOffsetMinutes),
  );
  const limiter = new RateLimiter(
    config.ingest.rateLimit.requestsPerSecond,
    config.ingest.rateLimit.burst,
    clock,
  );
  let verifier: Promise<KeyVerifier> | undefined;
  const verifierOnce = (): Promise<KeyVerifier> => {
    verifier ??= loadKeyPepper().then(
      (pepper) => new KeyVerifier(keys, pepper, config.ingest.keyCacheSeconds, clock, keyPolicy(config)),
    );
    verifier.catch(() => {
      verifier = undefined;
    });
    return verifier;
  };
  return observed<Parameters<HttpHandler>[0], Awaited<ReturnType<HttpHandler>>>()
    .use(httpProblems())
    .handler(async (event) => {
      const principal = await (await verifierOnce()).verify(bearerKey(event.headers.authorization));
      logger.appendKeys({ unitCode: principal.unitCode });
      limiter.take(principal.unitCode);
      const me = await describeUnit(
        principal,
        {
          key: (prefix) => keys.findByPrefix(prefix),
          snapshot: (unit) => reader.snapshot(unit),
          heartbeats: (unit) => reader.heartbeats(unit),
          refusals: (unit, now, days) => reader.refusals(unit, now, days),
          profile: (unit) => directory.profile(unit),
          setAside: (unit, from) => reader.setAside(unit, from),
        },
        config,
        clock(),
        (env[ENV.evaluateEveryMinutes] ?? topology.evaluation.everyMinutes) * 60_000,
      );
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify(me),
      };
    });
}
