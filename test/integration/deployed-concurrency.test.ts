import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { S3Archive } from '../../shared/adapters/s3-archive.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { processDossierEventBatch } from '../../shared/domain/worker/dossier-batch.ts';
import { countOptions } from '../../shared/domain/worker/options.ts';
import type { QueueRecord } from '../../shared/domain/worker/sqs-batch.ts';
import type { DossierEventsMessage } from '../../shared/schemas/queue.ts';
import { mappingSettings } from '../../shared/topology.ts';
import { expectedCounters, storedCounters } from '../../simulator/model.ts';
import { generateStream, toMessages } from '../helpers/dossier-streams.ts';
import { type LocalAws, scanAll, startLocalAws } from '../helpers/local-aws.ts';

const deployed = mappingSettings('dossier-events', 'deployed');
let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

describe('the dossier worker at the deployed concurrency', () => {
  it('runs the concurrency and batch size AWS runs', () => {
    expect(deployed).toMatchObject({ concurrency: 10, batchSize: 100 });
  });

  it('counts exactly as the independent model when 10 invocations share two units’ counters at once', async () => {
    const events = generateStream(21, { dossiers: 300 });
    const messages = toMessages(events, 10);
    const { names, raw, doc } = await aws.tables();
    const store = new DynamoDossierStore(names.state, doc);
    const deps = {
      store,
      archive: new S3Archive(aws.bucket, aws.s3),
      options: countOptions(loadSettings({})),
      onPoison: () => undefined,
      onFailure: () => undefined,
      setAside: { setAside: () => Promise.reject(new Error('nothing is set aside here')) },
      clock: () => Date.parse('2026-11-23T03:05:00Z'),
    };
    // Like the event-source mapping: `concurrency` pollers, and a record reported as failed (a lost
    // transaction race, say) comes back until it succeeds. Four messages per invocation, rather than the full
    // batch, so that all ten invocations overlap on the same few hundred dossiers.
    let next = 0;
    let sequence = 0;
    const queue: QueueRecord[] = messages.map((message: DossierEventsMessage) => ({
      messageId: `m-${sequence++}`,
      body: JSON.stringify(message),
      receiveCount: 1,
    }));
    const poller = async (): Promise<void> => {
      while (next < queue.length) {
        const batch = queue.slice(next, next + Math.min(deployed.batchSize, 4));
        next += batch.length;
        let pending = batch;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 50) throw new Error('records never succeeded');
          const response = await processDossierEventBatch(pending, deps);
          const failed = new Set(response.failed);
          pending = pending.filter((record) => failed.has(record.messageId));
        }
      }
    };
    await Promise.all(Array.from({ length: deployed.concurrency }, poller));
    for (const unit of new Set(events.map((event) => event.unitCode))) await store.fold(unit, 1);
    const stored = storedCounters(await scanAll(raw, names.state));
    expect(stored.size).toBeGreaterThan(50);
    expect(stored).toEqual(expectedCounters(events));
  });
});
