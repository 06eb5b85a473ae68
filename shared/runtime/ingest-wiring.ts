import { z } from 'zod';
import { CachedProcedureCatalog } from '../adapters/cached-procedure-catalog.ts';
import { CachedUnitDirectory } from '../adapters/cached-unit-directory.ts';
import { DynamoKeyStore } from '../adapters/dynamo-key-store.ts';
import { DynamoRateWindow } from '../adapters/dynamo-rate-window.ts';
import { DynamoRefusalLog } from '../adapters/dynamo-refusal-log.ts';
import { DynamoRegistry } from '../adapters/dynamo-registry.ts';
import { loadPepperRing, PEPPER_MAX_AGE_MS, PEPPER_MIN_REFRESH_MS } from '../adapters/key-pepper.ts';
import { SqsQueue } from '../adapters/sqs-queue.ts';
import { type Clock, processClock } from '../config/clock.ts';
import { readEnv } from '../config/env.ts';
import { ENV } from '../config/env-names.ts';
import { type Settings, settings } from '../config/settings.ts';
import { type KeyPolicy, KeyVerifier } from '../domain/auth/api-keys.ts';
import { CachedPepperSource } from '../domain/auth/pepper.ts';
import { RateLimiter, SharedRateLimiter, type UnitLimiter } from '../domain/ingest/rate-limit.ts';
import { IngestService } from '../domain/ingest/service.ts';
import { logger, MetricUnit, metrics } from '../observability/index.ts';
import { apiSchemas } from '../schemas/api.ts';
import { FEEDS, QUEUE_URL_ENV } from '../topology.ts';
import { type HttpHandler, httpHandler, type RouteSpec } from './handler.ts';

const envSchema = z.object({
  [ENV.keysTable]: z.string().min(3),
  /** The registry (read) and the refusal log (written); without it, no warnings and no refusal log. */
  [ENV.stateTable]: z.string().min(3).optional(),
  [ENV.rateTable]: z.string().min(3).optional(),
  [QUEUE_URL_ENV['dossier-events']]: z.url().optional(),
  [QUEUE_URL_ENV.heartbeats]: z.url().optional(),
  [QUEUE_URL_ENV.reports]: z.url().optional(),
});

export function keyPolicy(config: Settings): KeyPolicy {
  return {
    retiredCodes: config.lifecycle.retiredUnitCodes,
    utcOffsetMinutes: config.time.utcOffsetMinutes,
    touchEverySeconds: config.ingest.keyLastUsedEverySeconds,
  };
}

/**
 * The per-unit limit: shared across instances through the rate table where there is one (leases of a tenth
 * of the rate, so about ten writes a second for a unit at its limit), behind the per-instance bucket.
 */
function unitLimiter(config: Settings, rateTable: string | undefined, clock: Clock): UnitLimiter {
  const { requestsPerSecond, burst } = config.ingest.rateLimit;
  const local = new RateLimiter(requestsPerSecond, burst, clock);
  if (!rateTable) return local;
  return new SharedRateLimiter(
    local,
    new DynamoRateWindow(rateTable),
    requestsPerSecond,
    Math.max(1, Math.floor(requestsPerSecond / 10)),
    clock,
    (error) => {
      logger.warn('rate window unavailable; request admitted', { error: String(error) });
      metrics.addMetric('RateWindowErrors', MetricUnit.Count, 1);
    },
  );
}

/** The composition root of the ingest functions: configuration and adapters, built once per cold start. */
export function ingestWiring(): { service: IngestService; route: (spec: RouteSpec) => HttpHandler } {
  const env = readEnv(envSchema);
  const config = settings();
  const queue = new SqsQueue({
    queueUrls: Object.fromEntries(FEEDS.map((feed) => [feed, env[QUEUE_URL_ENV[feed]]])),
    maxBatchBytes: config.ingest.maxQueueMessageBytes,
  });
  const clock = processClock();
  const state = env[ENV.stateTable];
  const service = new IngestService({
    queue,
    schemas: apiSchemas(config),
    config,
    clock,
    ...(state && {
      directory: new CachedUnitDirectory(
        new DynamoRegistry(state),
        config.ingest.registryCacheSeconds,
        clock,
      ),
      catalogue: new CachedProcedureCatalog(state, config.ingest.registryCacheSeconds, clock),
    }),
  });
  const keys = new DynamoKeyStore(env[ENV.keysTable]);
  // The pepper ring is read with a bounded age, never once per container: a rotation reaches warm functions.
  const peppers = new CachedPepperSource(
    () => loadPepperRing(),
    PEPPER_MAX_AGE_MS,
    PEPPER_MIN_REFRESH_MS,
    clock,
  );
  const verifier = new KeyVerifier(keys, peppers, config.ingest.keyCacheSeconds, clock, keyPolicy(config));
  const deps = {
    verifier: async () => verifier,
    limiter: unitLimiter(config, env[ENV.rateTable], clock),
    maxBodyBytes: config.ingest.maxBodyBytes,
    clock,
    ...(state && { refusals: new DynamoRefusalLog(state, config.time.utcOffsetMinutes) }),
  };
  return { service, route: (spec) => httpHandler(spec, deps) };
}
