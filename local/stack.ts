import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createTables, defaultTableNames } from '../shared/adapters/dynamo-tables.ts';
import { localClients } from '../shared/adapters/local-clients.ts';
import { S3ObjectReader } from '../shared/adapters/s3-object-reader.ts';
import { SqsQueueAdmin } from '../shared/adapters/sqs-queue-admin.ts';
import { installClock, ShiftedClock } from '../shared/config/clock.ts';
import { ENV } from '../shared/config/env-names.ts';
import { BUCKET, localEnvironment, REGION, type StackFile } from '../shared/config/local-stack.ts';
import type { EvaluationSummary } from '../shared/domain/evaluation/evaluate.ts';
import type { Alert } from '../shared/domain/evaluation/ports.ts';
import type { Feed } from '../shared/schemas/queue.ts';
import {
  FEEDS,
  type MappingSettings,
  mappingSettings,
  type RunProfile,
  topology,
} from '../shared/topology.ts';
import { bundledEntries } from './bundles.ts';
import { createGateway, type HttpLambda } from './gateway.ts';
import { EventSourceMapping, type SqsLambda } from './poller.ts';
import { freePort, type RunningServer, startDynamoLocal, startS3, startSqs } from './servers.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

export interface StackOptions {
  dataDir: string;
  port?: number;
  evaluateEverySeconds?: number;
  /**
   * The scheduled evaluations start once this settles (default: at once). `npm start`'s first backfill holds
   * them back, so a unit's first verdict is its real one, not "never connected" minutes before its history lands.
   */
  evaluateFrom?: Promise<unknown>;
  log?: (line: string) => void;
  /** Fixed ports for the servers; a restart in the same process must reuse them, as handlers keep their clients. */
  ports?: { dynamodb?: number; s3?: number; sqs?: number };
  /** Receives after which a record moves to its DLQ. */
  maxReceiveCount?: number;
  visibilityTimeoutSeconds?: number;
  /** The one clock of the stack: handlers, workers, the gateway and the evaluation read it. Default: real time. */
  clock?: ShiftedClock;
  /** Worker settings from shared/topology.ts: one machine's (default), or exactly the deployed ones. */
  profile?: RunProfile;
  /**
   * The endpoint the handlers, the workers and the evaluation use to reach a server, given its own; the
   * stack's housekeeping (tables, queues, the poller, the gateway's reads) always goes direct. The fault
   * tests put a fault-injecting proxy here. Default: direct.
   */
  via?: (service: 'dynamodb' | 's3' | 'sqs', endpoint: string) => string;
  /**
   * Asked after every worker invocation: true abandons its result, as when the worker's process dies after
   * its writes and before the mapping hears back, so every record of the batch reappears. Default: never.
   */
  abandonInvocation?: (feed: Feed) => boolean;
  /**
   * A `cdk synth` output directory: the ingest and worker functions then run from its esbuild bundles, the
   * code that is deployed, instead of the TypeScript sources. The scheduled evaluation still runs in process.
   */
  bundled?: string;
}

export interface Stack {
  url: string;
  file: StackFile;
  mappings: Record<Feed, EventSourceMapping>;
  clock: ShiftedClock;
  evaluateNow(at?: number): Promise<EvaluationSummary>;
  /** Stops DynamoDB Local and starts it again on the same port and data, as after a crash of the server. */
  restartDynamoDB(): Promise<void>;
  /** Resolves once every queue is empty and no worker invocation is running. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function createQueues(
  queues: SqsQueueAdmin,
  settings: (feed: Feed) => MappingSettings,
): Promise<StackFile['queues']> {
  const created: StackFile['queues'] = {};
  for (const feed of FEEDS) created[feed] = await queues.createFeedQueue(feed, settings(feed));
  return created;
}

/**
 * A function's handler, as Lambda would load it: from its entry file under functions/, or, with `bundles`,
 * from the esbuild bundle `cdk synth` made of it.
 */
async function loadHandler(name: string, bundles: Map<string, string> | undefined): Promise<unknown> {
  const bundle = bundles?.get(name);
  if (bundles && !bundle) throw new Error(`cdk synth left no bundle for ${name}`);
  const module: unknown = await import(bundle ? pathToFileURL(bundle).href : `../functions/${name}.ts`);
  if (typeof module !== 'object' || module === null || !('handler' in module))
    throw new Error(`${bundle ?? `functions/${name}.ts`} exports no handler`);
  return module.handler;
}

/**
 * The whole pipeline in one process tree: DynamoDB Local and s3rver (persisted under `dataDir`),
 * local-aws-sqs, the real ingest and worker handlers behind a gateway and event-source mappings, and the
 * scheduled evaluation on a timer.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? new ShiftedClock(0);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const servers: RunningServer[] = [];
  const stopServers = () => Promise.all(servers.map((server) => server.stop()));
  try {
    const [dynamo, s3server, sqsServer] = await Promise.all([
      startDynamoLocal({ dataDir: join(dataDir, 'dynamodb'), port: options.ports?.dynamodb }),
      startS3({ directory: join(dataDir, 's3'), buckets: [BUCKET], port: options.ports?.s3 }),
      startSqs({ port: options.ports?.sqs }),
    ]);
    servers.push(dynamo, s3server, sqsServer);
    let dynamoServer = dynamo;
    log(`DynamoDB Local ${dynamo.endpoint}, s3rver ${s3server.endpoint}, SQS ${sqsServer.endpoint}`);
    const clients = localClients({
      dynamodb: dynamo.endpoint,
      s3: s3server.endpoint,
      sqs: sqsServer.endpoint,
    });
    const { s3 } = clients;
    const sqs = new SqsQueueAdmin(clients.sqs);
    await createTables(clients.dynamodb, defaultTableNames);
    const settings = (feed: Feed): MappingSettings => {
      const base = mappingSettings(feed, options.profile ?? 'local');
      return {
        ...base,
        maxReceiveCount: options.maxReceiveCount ?? base.maxReceiveCount,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? base.visibilityTimeoutSeconds,
      };
    };
    const queues = await createQueues(sqs, settings);
    const port = options.port ?? (await freePort());
    const file: StackFile = {
      pid: process.pid,
      url: `http://127.0.0.1:${port}`,
      dynamodb: dynamo.endpoint,
      s3: s3server.endpoint,
      sqs: sqsServer.endpoint,
      bucket: BUCKET,
      tables: defaultTableNames,
      queues,
      clockOffsetMs: clock.offsetMs,
    };
    const via = options.via ?? ((_service: string, endpoint: string) => endpoint);
    const reached = {
      ...file,
      dynamodb: via('dynamodb', file.dynamodb),
      s3: via('s3', file.s3),
      sqs: via('sqs', file.sqs),
    };
    // The SDK sends to a queue's own host, so the queue URLs the handlers read name the same endpoint.
    reached.queues = Object.fromEntries(
      Object.entries(queues).map(([feed, urls]) => [
        feed,
        {
          ...urls,
          url: urls.url.replace(file.sqs, reached.sqs),
          dlqUrl: urls.dlqUrl.replace(file.sqs, reached.sqs),
        },
      ]),
    );
    Object.assign(process.env, localEnvironment(reached, dataDir));
    // GET /v1/me states the heartbeat's grace as this stack's evaluations apply it.
    process.env[ENV.evaluateEveryMinutes] = String(Math.max(options.evaluateEverySeconds ?? 0, 60) / 60);

    installClock(clock.now);
    // The handlers read their environment at import, exactly as in Lambda, so they are imported now: every
    // function of the topology manifest but the health check, which the gateway answers itself.
    const bundles = options.bundled ? bundledEntries(resolve(options.bundled)) : undefined;
    if (bundles) log(`running the bundles in ${options.bundled}`);
    const handlers = new Map<string, unknown>(
      await Promise.all(
        [...topology.ingest.filter((spec) => spec.name !== 'health'), ...Object.values(topology.workers)].map(
          async (spec) => [spec.name, await loadHandler(spec.name, bundles)] as const,
        ),
      ),
    );
    const { evaluate } = await import('../shared/domain/evaluation/evaluate.ts');
    const { evaluationDeps } = await import('../shared/runtime/evaluation-wiring.ts');
    const { LocalAlertPublisher } = await import('../shared/adapters/sns-alert-publisher.ts');
    const alertLog = join(dataDir, 'alerts.log');
    const sink = (alert: Alert): void => {
      appendFileSync(
        alertLog,
        `${JSON.stringify({ at: new Date(alert.createdAt).toISOString(), subject: alert.subject })}\n`,
      );
    };
    const evaluation = evaluationDeps(
      { [ENV.stateTable]: file.tables.state, [ENV.snapshotBucket]: BUCKET },
      (client) => new LocalAlertPublisher(client, BUCKET, sink),
      {
        s3: reached.s3 === file.s3 ? s3 : localClients(reached).s3,
      },
      clock.now,
    );

    const mapping = (feed: Feed, handler: SqsLambda) =>
      new EventSourceMapping(
        sqs,
        handler,
        {
          queueUrl: queues[feed]?.url ?? '',
          queueArn: `arn:aws:sqs:${REGION}:000000000000:emc-${feed}`,
          batchSize: settings(feed).batchSize,
          batchingWindowMs: settings(feed).batchingWindowMs,
          visibilityTimeoutSeconds: settings(feed).visibilityTimeoutSeconds,
          concurrency: settings(feed).concurrency,
          functionName: feed,
          ...(options.abandonInvocation ? { abandon: () => options.abandonInvocation?.(feed) ?? false } : {}),
        },
        (error) => log(`worker error on ${feed}: ${error instanceof Error ? error.message : String(error)}`),
      );
    const mappings = Object.fromEntries(
      FEEDS.map((feed) => [feed, mapping(feed, handlers.get(topology.workers[feed].name) as SqsLambda)]),
    ) as Record<Feed, EventSourceMapping>;
    for (const m of Object.values(mappings)) m.start();

    let ready = false;
    const server: Server = createGateway({
      routes: topology.ingest
        .filter((spec) => handlers.has(spec.name))
        .map((spec) => ({
          method: spec.trigger.method,
          path: spec.trigger.path,
          name: spec.name,
          handler: handlers.get(spec.name) as HttpLambda,
        })),
      snapshots: new S3ObjectReader(BUCKET, s3),
      siteDir: resolve(here, '../site/dist'),
      health: () => ({ ready, components: { dynamodb: true, s3: true, sqs: true, workers: ready } }),
      clock: clock.now,
    });
    await new Promise<void>((resolveListen) => server.listen(port, '127.0.0.1', resolveListen));
    writeFileSync(join(dataDir, 'stack.json'), JSON.stringify(file, null, 2));

    const every = options.evaluateEverySeconds ?? 0;
    let evaluating: Promise<EvaluationSummary> | undefined;
    const evaluateNow = (at?: number): Promise<EvaluationSummary> => {
      const now = clock.now();
      const run = (evaluating ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => evaluate({ ...evaluation, at: at ?? now, now, everyMinutes: Math.max(every, 60) / 60 }));
      evaluating = run;
      return run;
    };
    // The raw archive's daily compaction, as the compact-archive function runs it in AWS after Vietnam midnight:
    // here after the first scheduled evaluation of each Vietnam day, the stack's first included.
    // Imported now, as the handlers are: the archive module builds its default client from the environment.
    const { S3Archive } = await import('../shared/adapters/s3-archive.ts');
    const { compactArchive, VIETNAM_OFFSET_MINUTES } = await import('../shared/app/compact-archive.ts');
    const { dayOf } = await import('../shared/domain/time.ts');
    const archive = new S3Archive(BUCKET, reached.s3 === file.s3 ? s3 : localClients(reached).s3);
    let compactedOn: string | undefined;
    let compacting: Promise<unknown> | undefined;
    const compactOnNewDay = (): void => {
      const today = dayOf(clock.now(), VIETNAM_OFFSET_MINUTES);
      if (today === compactedOn || compacting) return;
      compactedOn = today;
      compacting = compactArchive(archive, clock.now(), { lookbackDays: topology.compaction.lookbackDays })
        .then(
          (report) => {
            const written = report.unitDays.filter((unitDay) => unitDay.written).length;
            if (written > 0)
              log(`archive: ${written} unit-day(s) compacted into one object each (${report.days.at(-1)})`);
          },
          (error: unknown) =>
            log(
              `archive compaction failed, tried again tomorrow: ${error instanceof Error ? error.message : String(error)}`,
            ),
        )
        .finally(() => {
          compacting = undefined;
        });
    };
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const schedule = (): void => {
      if (every <= 0 || stopped) return;
      timer = setInterval(() => {
        evaluateNow()
          .then(
            (summary) =>
              log(
                `evaluation: ${summary.byStatus.connected ?? 0}/${summary.units} units fully connected, ${summary.alertsSent} alert(s) sent (${alertLog})${summary.failures.length > 0 ? `; not evaluated: ${summary.failures.map((f) => `${f.unitCode} (${f.reason})`).join(', ')}` : ''}`,
              ),
            (error: unknown) =>
              log(`evaluation failed: ${error instanceof Error ? error.message : String(error)}`),
          )
          .finally(compactOnNewDay);
      }, every * 1000);
    };
    (options.evaluateFrom ?? Promise.resolve()).then(schedule, schedule);
    ready = true;
    return {
      url: file.url,
      file,
      clock,
      mappings,
      evaluateNow,
      async restartDynamoDB() {
        const index = servers.indexOf(dynamoServer);
        await dynamoServer.stop();
        dynamoServer = await startDynamoLocal({
          dataDir: join(dataDir, 'dynamodb'),
          port: dynamoServer.port,
        });
        servers[index] = dynamoServer;
      },
      async drained(timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        for (let quiet = 0; quiet < 3; ) {
          if (Date.now() > deadline) throw new Error('the queues did not drain in time');
          let waiting = 0;
          for (const [feed, urls] of Object.entries(queues)) {
            const depth = await sqs.depth(urls.url);
            waiting += depth.visible + depth.inFlight + (mappings[feed as Feed]?.inFlight ?? 0);
          }
          quiet = waiting === 0 ? quiet + 1 : 0;
          await new Promise((resolveWait) => setTimeout(resolveWait, 300));
        }
      },
      async stop() {
        ready = false;
        stopped = true;
        if (timer) clearInterval(timer);
        await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        server.closeAllConnections();
        await Promise.all(Object.values(mappings).map((m) => m.stop()));
        await evaluating?.catch(() => undefined);
        await compacting;
        await stopServers();
        rmSync(join(dataDir, 'stack.json'), { force: true });
        installClock(undefined);
      },
    };
  } catch (error) {
    await stopServers();
    throw error;
  }
}
