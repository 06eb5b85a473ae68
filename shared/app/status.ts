/** How many messages a queue holds (`shared/adapters/sqs-queue-admin.ts`). */
export interface QueueDepthPort {
  depth(queueUrl: string): Promise<{ visible: number; inFlight: number }>;
}

/** Published objects read back (`shared/adapters/s3-object-reader.ts`); a missing key is `undefined`. */
export interface PublishedObjectsPort {
  get(key: string): Promise<{ bytes: Buffer } | undefined>;
}

export interface StatusDeps {
  queues: QueueDepthPort;
  published: PublishedObjectsPort;
  /** Each feed's main queue and DLQ. */
  feeds: Record<string, { url: string; dlqUrl: string }>;
  now: number;
}

export interface StatusReport {
  queues: Record<string, { visible: number; inFlight: number; dlq: number }>;
  snapshot: {
    generatedAt: string | null;
    ageSeconds: number | null;
    connected: number | null;
    registered: number | null;
    /** Units the last evaluation could not evaluate, with why. */
    failures: { unitCode: string; reason: string }[];
  };
}

/** What an operator checks first: are the queues draining, is anything in a DLQ, is the snapshot fresh. */
export async function operatorStatus(deps: StatusDeps): Promise<StatusReport> {
  const queues: StatusReport['queues'] = {};
  for (const [feed, urls] of Object.entries(deps.feeds)) {
    const main = await deps.queues.depth(urls.url);
    const dlq = await deps.queues.depth(urls.dlqUrl);
    queues[feed] = { ...main, dlq: dlq.visible + dlq.inFlight };
  }
  let snapshot: StatusReport['snapshot'] = {
    generatedAt: null,
    ageSeconds: null,
    connected: null,
    registered: null,
    failures: [],
  };
  try {
    const object = await deps.published.get('snapshots/latest.json');
    const latest = JSON.parse(object?.bytes.toString('utf8') ?? '{}') as {
      generatedAt?: string;
      connection?: { connected: number; registered: number };
      units?: { unitCode: string; evaluation?: { reason: string } }[];
    };
    const generatedAt = latest.generatedAt ?? null;
    snapshot = {
      generatedAt,
      ageSeconds: generatedAt ? Math.round((deps.now - Date.parse(generatedAt)) / 1000) : null,
      connected: latest.connection?.connected ?? null,
      registered: latest.connection?.registered ?? null,
      failures: (latest.units ?? []).flatMap((row) =>
        row.evaluation ? [{ unitCode: row.unitCode, reason: row.evaluation.reason }] : [],
      ),
    };
  } catch {
    // No snapshot yet: reported as such.
  }
  return { queues, snapshot };
}
