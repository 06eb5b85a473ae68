import { z } from 'zod';
import { loadPepperRing, PEPPER_MAX_AGE_MS, PEPPER_MIN_REFRESH_MS } from '../adapters/key-pepper.ts';
import { DynamoKeyStore } from '../adapters/key-store.ts';
import { SqsQueue } from '../adapters/sqs-queue.ts';
import { readEnv } from '../config/env.ts';
import { type Settings, settings } from '../config/settings.ts';
import { type KeyPolicy, KeyVerifier } from '../domain/auth/api-keys.ts';
import { CachedPepperSource } from '../domain/auth/pepper.ts';
import { RateLimiter } from '../domain/ingest/rate-limit.ts';
import { IngestService } from '../domain/ingest/service.ts';
import { apiSchemas } from '../schemas/api.ts';
import { type HttpHandler, httpHandler, type RouteSpec } from './handler.ts';

const envSchema = z.object({
  KEYS_TABLE: z.string().min(3),
  DOSSIER_EVENTS_QUEUE_URL: z.url().optional(),
  HEARTBEATS_QUEUE_URL: z.url().optional(),
  REPORTS_QUEUE_URL: z.url().optional(),
});

export function keyPolicy(config: Settings): KeyPolicy {
  return {
    retiredCodes: config.lifecycle.retiredUnitCodes,
    utcOffsetMinutes: config.time.utcOffsetMinutes,
    touchEverySeconds: config.ingest.keyLastUsedEverySeconds,
  };
}

/** The composition root of the ingest functions: configuration and adapters, built once per cold start. */
export function ingestWiring(): { service: IngestService; route: (spec: RouteSpec) => HttpHandler } {
  const env = readEnv(envSchema);
  const config = settings();
  const queue = new SqsQueue({
    queueUrls: {
      'dossier-events': env.DOSSIER_EVENTS_QUEUE_URL,
      heartbeats: env.HEARTBEATS_QUEUE_URL,
      reports: env.REPORTS_QUEUE_URL,
    },
    maxBatchBytes: config.ingest.maxQueueMessageBytes,
  });
  const service = new IngestService({ queue, schemas: apiSchemas(config), config, clock: Date.now });
  const keys = new DynamoKeyStore(env.KEYS_TABLE);
  // The pepper ring is read with a bounded age, never once per container: a rotation reaches warm functions.
  const peppers = new CachedPepperSource(
    () => loadPepperRing(),
    PEPPER_MAX_AGE_MS,
    PEPPER_MIN_REFRESH_MS,
    Date.now,
  );
  const verifier = new KeyVerifier(keys, peppers, config.ingest.keyCacheSeconds, Date.now, keyPolicy(config));
  const deps = {
    verifier: async () => verifier,
    limiter: new RateLimiter(config.ingest.rateLimit.requestsPerSecond, config.ingest.rateLimit.burst),
    maxBodyBytes: config.ingest.maxBodyBytes,
  };
  return { service, route: (spec) => httpHandler(spec, deps) };
}
