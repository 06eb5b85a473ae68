/**
 * The operator's long commands on the local stack, after one busy province's traffic: a rebuild of it from
 * the raw archive (cold, then resumed with a swap), how long that unit's commits were held, a DLQ redrive,
 * and the 63 → 34 reorganisation.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deadLetterQueue } from '../../cli/commands.ts';
import { freePort } from '../../local/servers.ts';
import { startStack } from '../../local/stack.ts';
import { DynamoDossierStore } from '../../shared/adapters/dynamo-dossier-store.ts';
import { DynamoKeyStore } from '../../shared/adapters/dynamo-key-store.ts';
import { DynamoRebuildStore } from '../../shared/adapters/dynamo-rebuild-store.ts';
import { DynamoRegistry } from '../../shared/adapters/dynamo-registry.ts';
import { FileRebuildCheckpoints } from '../../shared/adapters/file-rebuild-checkpoints.ts';
import { S3Archive } from '../../shared/adapters/s3-archive.ts';
import { rebuild } from '../../shared/app/rebuild.ts';
import { applyPlan, importUnits } from '../../shared/app/units.ts';
import { loadSettings } from '../../shared/config/settings.ts';
import { issueKey } from '../../shared/domain/auth/api-keys.ts';
import { reorganisationSchema } from '../../shared/domain/registry/reorganisation.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { demoRegistry } from '../../simulator/registry.ts';
import { apiEvent, generateStream, pastStream } from '../../test/helpers/dossier-streams.ts';
import { credentials, dynamoClients, region } from '../../test/helpers/local-aws.ts';

const DOSSIERS = Number(process.env.BENCH_DOSSIERS ?? 10_000);
const DEAD_LETTERS = Number(process.env.BENCH_DEAD_LETTERS ?? 200);

class TimedRebuildStore extends DynamoRebuildStore {
  heldAt = 0;
  heldMs = 0;
  override async hold(unitCode: string, until: number): Promise<number> {
    const token = await super.hold(unitCode, until);
    this.heldAt = performance.now();
    return token;
  }
  override async release(unitCode: string, token: number): Promise<void> {
    await super.release(unitCode, token);
    this.heldMs = performance.now() - this.heldAt;
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emc-bench-ops-'));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const stack = await startStack({
    dataDir,
    ports: { dynamodb: await freePort(), s3: await freePort(), sqs: await freePort() },
    log: () => undefined,
  });
  try {
    const config = loadSettings({});
    const { doc } = dynamoClients(stack.file.dynamodb);
    const table = stack.file.tables.state;
    const now = stack.clock.now();
    const ops = {
      registry: new DynamoRegistry(table, doc),
      keys: new DynamoKeyStore(stack.file.tables.keys, doc),
      now: stack.clock.now,
    };
    await importUnits(ops, demoRegistry());
    // One busy province: DOSSIERS dossiers over three days, sent as a unit's system would, 1000 events a request.
    const unitCode = 'H48';
    const { key, record } = issueKey(process.env.EMC_KEY_PEPPER ?? '', unitCode, now);
    await ops.keys.put(record);
    const stream = pastStream(
      generateStream(2024, { units: [unitCode], dossiers: DOSSIERS, agencies: 30, viaApi: true }),
      now,
    );
    const ingestStart = performance.now();
    for (let i = 0; i < stream.length; i += 1000) {
      const response = await fetch(`${stack.url}/v1/dossier-events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: stream.slice(i, i + 1000).map(apiEvent) }),
      });
      if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
    }
    await stack.drained(600_000);
    const countedSeconds = (performance.now() - ingestStart) / 1000;

    const s3 = new S3Client({ endpoint: stack.file.s3, region, credentials, forcePathStyle: true });
    const archive = new S3Archive(stack.file.bucket, s3);
    let objects = 0;
    for await (const _key of archive.listUnit(unitCode, '')) objects++;
    const store = new TimedRebuildStore(table, new DynamoDossierStore(table, doc), doc);
    const deps = {
      archive,
      store,
      checkpoints: new FileRebuildCheckpoints(dataDir),
      rules: config.dossier,
      dayOf: (ms: number) => dayOf(ms, config.time.utcOffsetMinutes),
      now: Date.now,
    };
    const today = dayOf(now, config.time.utcOffsetMinutes);
    const options = {
      unitCode,
      from: dayOf(now - 14 * 86_400_000, config.time.utcOffsetMinutes),
      to: today,
      lookbackDays: 30,
      holdSeconds: 600,
    };
    const events = stream.length;

    let start = performance.now();
    const compared = await rebuild(deps, { ...options, swap: false });
    const compareMs = performance.now() - start;
    const compareHoldMs = store.heldMs;
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `C#${unitCode}#${today}`, sk: 'U' },
        UpdateExpression: 'ADD received :n',
        ExpressionAttributeValues: { ':n': 7 },
      }),
    );
    start = performance.now();
    const swapped = await rebuild(deps, { ...options, swap: true });
    const swapMs = performance.now() - start;

    const sqs = new SQSClient({ endpoint: stack.file.sqs, region, credentials });
    const urls = stack.file.queues['dossier-events'];
    const body = JSON.stringify({
      v: 1,
      kind: 'dossier-events',
      unitCode,
      requestId: 'bench',
      acceptedAt: now,
      events: [
        {
          eventId: 'bench-1',
          dossierCode: 'BENCH-000001',
          agencyCode: `000.00.10.${unitCode}`,
          procedureCode: '1.000001',
          status: 1,
          occurredAt: now - 60_000,
        },
      ],
    });
    for (let i = 0; i < DEAD_LETTERS; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: urls?.dlqUrl, MessageBody: body }));
    const target = {
      kind: 'local' as const,
      url: stack.url,
      tables: stack.file.tables,
      bucket: stack.file.bucket,
      queues: stack.file.queues,
      clock: stack.clock.now,
    };
    start = performance.now();
    const redriven = await deadLetterQueue(target, 'dossier-events').redrive(() => true);
    const redriveMs = performance.now() - start;
    await stack.drained();

    const plan = reorganisationSchema.parse(
      JSON.parse(
        readFileSync(new URL('../../docs/examples/provinces-2025-07-01.json', import.meta.url), 'utf8'),
      ),
    );
    start = performance.now();
    const applied = await applyPlan(ops, plan);
    const applyMs = performance.now() - start;
    start = performance.now();
    const again = await applyPlan(ops, plan);
    const againMs = performance.now() - start;

    const figures = {
      dossiers: DOSSIERS,
      pipelineSecondsToCount: countedSeconds,
      rebuild: {
        unitCode,
        archiveObjects: objects,
        events,
        dossiers: compared.dossiers,
        compareSeconds: compareMs / 1000,
        eventsPerSecond: events / (compareMs / 1000),
        holdSecondsWhileComparing: compareHoldMs / 1000,
        swapSeconds: swapMs / 1000,
        holdSecondsWhileSwapping: store.heldMs / 1000,
        differencesFound: swapped.differences.length,
        itemsWritten: swapped.itemsWritten,
        resumedFrom: swapped.resumedFrom,
      },
      redrive: {
        letters: redriven.redriven.length,
        seconds: redriveMs / 1000,
        perSecond: redriven.redriven.length / (redriveMs / 1000),
      },
      reorganisation: {
        steps: applied.applied.length,
        seconds: applyMs / 1000,
        rerunSeconds: againMs / 1000,
        rerunAlreadyDone: again.alreadyDone.length,
      },
    };
    const r = figures.rebuild;
    console.log(
      `rebuild ${unitCode}: ${r.archiveObjects} archive objects, ${r.events} events, ${r.dossiers} dossiers (the pipeline counted them in ${countedSeconds.toFixed(0)} s)`,
    );
    console.log(
      `  compare (cold):    ${r.compareSeconds.toFixed(2)} s, ${Math.round(r.eventsPerSecond)} events/s read and folded; unit held ${r.holdSecondsWhileComparing.toFixed(2)} s`,
    );
    console.log(
      `  swap (resumed):    ${r.swapSeconds.toFixed(2)} s for ${r.differencesFound} differing figure(s), ${r.itemsWritten} item(s) written; unit held ${r.holdSecondsWhileSwapping.toFixed(2)} s`,
    );
    console.log(
      `redrive: ${figures.redrive.letters} dead letters in ${figures.redrive.seconds.toFixed(2)} s (${figures.redrive.perSecond.toFixed(0)}/s)`,
    );
    console.log(
      `reorganisation 63 → 34: ${figures.reorganisation.steps} steps in ${figures.reorganisation.seconds.toFixed(2)} s; run again: ${figures.reorganisation.rerunAlreadyDone} already done in ${figures.reorganisation.rerunSeconds.toFixed(2)} s`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
