/**
 * Ingest path cost, measured in one process and one run (the queue is an in-memory stub):
 *  - a 1000-event request through the real handler: parse, validate, authenticate and pack;
 *  - the same body through JSON.parse alone;
 *  - single-heartbeat handler time, p50 and p99.
 */
import { httpEvent, lambdaContext } from '../../test/fixtures/index.ts';
import { bearer, ingestHarness, validEvent } from '../../test/helpers/ingest-harness.ts';

const EVENTS = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

function body(): string {
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const status = [2, 4, 9, 10][i % 4] ?? 2;
    return validEvent({
      eventId: `H48-${i}-${status}`,
      dossierCode: `000.00.53.H48-261120-${String(i).padStart(4, '0')}`,
      agencyCode: `000.00.${String(10 + (i % 40)).padStart(2, '0')}.H48`,
      status,
      channel: i % 3 === 0 ? 1 : 2,
      onlineLevel: i % 5 === 0 ? 'partial' : 'full',
      dueAt: status >= 9 ? '2026-11-27T17:00:00+07:00' : undefined,
      satisfaction: status === 10 ? 4 : undefined,
    });
  });
  return JSON.stringify({ events });
}

function timeIt(rounds: number, work: () => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function timeAsync(rounds: number, work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const h = ingestHarness({ clock: () => Date.parse('2026-11-23T03:30:00Z') });
  const key = h.keys.issue('H48');
  const text = body();
  const request = { body: text, headers: bearer(key) };
  const event = httpEvent(request);
  const call = () => h.routes.events(event, lambdaContext);
  const check = await h.call('events', request);
  if (check.status !== 202 || (check.json() as { accepted: number }).accepted !== EVENTS) {
    throw new Error(`benchmark body was not fully accepted: ${check.status} ${check.text.slice(0, 300)}`);
  }

  // Warm both paths, then interleave the measurements so machine noise hits both alike.
  timeIt(50, () => JSON.parse(text));
  await timeAsync(50, call);
  h.queue.sent.length = 0;
  let parseSeconds = 0;
  let ingestSeconds = 0;
  for (let block = 0; block < 10; block++) {
    parseSeconds += timeIt(ROUNDS / 10, () => JSON.parse(text));
    ingestSeconds += await timeAsync(ROUNDS / 10, call);
    h.queue.sent.length = 0;
  }

  const heartbeat = {
    body: JSON.stringify({ systemId: 'tthc-core', sentAt: '2026-11-23T10:29:00+07:00' }),
    headers: bearer(key),
  };
  for (let i = 0; i < 2000; i++) await h.call('heartbeat', heartbeat);
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const start = process.hrtime.bigint();
    await h.call('heartbeat', heartbeat);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (h.queue.sent.length > 1000) h.queue.sent.length = 0;
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number): number =>
    samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? Number.NaN;

  const parseRate = (ROUNDS * EVENTS) / parseSeconds;
  const ingestRate = (ROUNDS * EVENTS) / ingestSeconds;
  const figures = {
    bodyBytes: Buffer.byteLength(text),
    rounds: ROUNDS,
    jsonParseEventsPerSecond: Math.round(parseRate),
    ingestEventsPerSecond: Math.round(ingestRate),
    ingestCostOverJsonParse: Number((parseRate / ingestRate).toFixed(2)),
    heartbeatP50Ms: Number(pct(0.5).toFixed(4)),
    heartbeatP99Ms: Number(pct(0.99).toFixed(4)),
  };
  console.log(`body: ${figures.bodyBytes} bytes, ${EVENTS} events, ${ROUNDS} rounds`);
  console.log(
    `JSON.parse alone:           ${figures.jsonParseEventsPerSecond.toLocaleString('en')} events/s`,
  );
  console.log(`parse+validate+auth+pack:   ${figures.ingestEventsPerSecond.toLocaleString('en')} events/s`);
  console.log(`ingest cost / JSON.parse:   ${figures.ingestCostOverJsonParse}x   (target <= 4x)`);
  console.log(
    `heartbeat handler time:     p50 ${figures.heartbeatP50Ms} ms, p99 ${figures.heartbeatP99Ms} ms   (target p99 < 1 ms)`,
  );
  console.log(JSON.stringify(figures));
}

await main();
