/**
 * What the refusal log costs ingest, in DynamoDB write units as DynamoDB Local reports them
 * (ConsumedCapacity), per million requests, for several shares of refused events. The requests go through
 * the real ingest handler; only the queue is in memory. Read units for GET /v1/me are per call, not per
 * request, and are printed once.
 */
import { readFileSync } from 'node:fs';
import { startDynamoLocal } from '../../local/servers.ts';
import { CapacityMeter } from '../../shared/adapters/capacity-meter.ts';
import { DynamoRefusalLog } from '../../shared/adapters/dynamo-refusal-log.ts';
import { createTables } from '../../shared/adapters/dynamo-tables.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { issueKey, KeyVerifier } from '../../shared/domain/auth/api-keys.ts';
import { RateLimiter } from '../../shared/domain/ingest/rate-limit.ts';
import { IngestService } from '../../shared/domain/ingest/service.ts';
import type { StoredKey } from '../../shared/domain/ports.ts';
import { httpHandler } from '../../shared/runtime/handler.ts';
import { apiSchemas } from '../../shared/schemas/api.ts';
import { httpEvent, lambdaContext } from '../../test/fixtures/index.ts';
import { dynamoClients } from '../../test/helpers/local-aws.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const EVENTS_PER_REQUEST = Number(process.env.BENCH_EVENTS_PER_REQUEST ?? 100);
const UNITS = 20;
const PEPPER = 'bench-pepper-0123456789abcdef0123456789abcdef';
const NOW = Date.parse('2026-11-23T03:30:00Z');

function event(unit: string, request: number, index: number, refused: boolean): Record<string, unknown> {
  return {
    eventId: `${unit}-${request}-${index}`,
    dossierCode: `000.00.10.${unit}-261120-${request}${index}`,
    procedureCode: '1.001234',
    agencyCode: `000.00.10.${unit}`,
    status: 2,
    channel: 2,
    onlineLevel: 'full',
    occurredAt: '2026-11-23T09:00:00+07:00',
    // A refused event misses its receipt time, the commonest refusal seen from real senders.
    ...(refused ? {} : { receivedAt: '2026-11-23T08:00:00+07:00' }),
  };
}

async function main(): Promise<void> {
  const dynamo = await startDynamoLocal();
  try {
    const { raw, doc } = dynamoClients(dynamo.endpoint);
    await createTables(raw, { state: 'bench-state', keys: 'bench-keys' });
    const meter = new CapacityMeter();
    doc.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ReturnConsumedCapacity?: string };
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
        meter.record(output.ConsumedCapacity ? [output.ConsumedCapacity] : [], 'write');
        return result;
      },
      { step: 'initialize', name: 'consumedCapacity' },
    );
    const config = loadSettings({});
    const log = new DynamoRefusalLog('bench-state', config.time.utcOffsetMinutes, doc);
    const records = new Map<string, StoredKey>();
    const keys = new Map<string, string>();
    for (let u = 1; u <= UNITS; u++) {
      const unit = `H${String(u).padStart(2, '0')}`;
      const { key, record } = issueKey(PEPPER, unit, NOW);
      records.set(record.prefix, record);
      keys.set(unit, key);
    }
    const verifier = new KeyVerifier(
      { findByPrefix: async (prefix) => records.get(prefix) },
      PEPPER,
      300,
      () => NOW,
    );
    const service = new IngestService({
      queue: { send: async () => undefined },
      schemas: apiSchemas(config),
      config,
      clock: () => NOW,
    });
    const handler = httpHandler(
      {
        auth: 'bearer',
        accept: ['json'],
        handle: (body, principal, requestId, mode) => service.dossierEvents(body, principal, requestId, mode),
      },
      {
        verifier: async () => verifier,
        limiter: new RateLimiter(1e9, 1e9, () => NOW),
        maxBodyBytes: config.ingest.maxBodyBytes,
        refusals: log,
        clock: () => NOW,
      },
    );
    console.log(
      `${REQUESTS} requests of ${EVENTS_PER_REQUEST} events per scenario, ${UNITS} units, one refusal reason`,
    );
    const prices = JSON.parse(
      readFileSync(
        process.env.BENCH_PRICES ?? new URL('./prices-2026-11.json', import.meta.url).pathname,
        'utf8',
      ),
    ) as { dynamodb: { onDemandPerMillionWriteUnits: number } };
    const perWriteUnit = prices.dynamodb.onDemandPerMillionWriteUnits / 1e6;
    console.log(
      'refused events | requests with a refusal | write units per million requests | USD per million requests (on demand)',
    );
    for (const share of [0, 0.001, 0.01, 0.1, 1]) {
      const before = meter.writeUnits;
      let withRefusal = 0;
      for (let r = 0; r < REQUESTS; r++) {
        const unit = `H${String((r % UNITS) + 1).padStart(2, '0')}`;
        const refused = (i: number): boolean =>
          share > 0 && (r * EVENTS_PER_REQUEST + i) % Math.round(1 / share) === 0;
        const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => event(unit, r, i, refused(i)));
        if (events.some((e) => !('receivedAt' in e))) withRefusal++;
        const result = await handler(
          httpEvent({
            body: JSON.stringify({ events }),
            headers: { authorization: `Bearer ${keys.get(unit)}`, 'content-type': 'application/json' },
          }),
          lambdaContext,
        );
        const status = typeof result === 'string' ? 200 : result.statusCode;
        if (status !== 202 && status !== 400) throw new Error(`unexpected status ${status}`);
      }
      const units = meter.writeUnits - before;
      console.log(
        `${(share * 100).toFixed(1).padStart(13)}% | ${String(withRefusal).padStart(23)} | ${((units / REQUESTS) * 1e6).toFixed(0).padStart(33)} | ${((units / REQUESTS) * 1e6 * perWriteUnit).toFixed(2)}`,
      );
    }
  } finally {
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
