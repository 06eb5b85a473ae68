import { S3ObjectReader } from '../shared/adapters/s3-object-reader.ts';
import { SqsQueueAdmin } from '../shared/adapters/sqs-queue-admin.ts';
import type { Target } from './context.ts';

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
export async function status(target: Target): Promise<StatusReport> {
  const sqs = new SqsQueueAdmin();
  const s3 = new S3ObjectReader(target.bucket);
  const depth = (url: string) => sqs.depth(url);
  const queues: StatusReport['queues'] = {};
  for (const [feed, urls] of Object.entries(target.queues)) {
    const main = await depth(urls.url);
    const dlq = await depth(urls.dlqUrl);
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
    const object = await s3.get('snapshots/latest.json');
    const latest = JSON.parse(object?.bytes.toString('utf8') ?? '{}') as {
      generatedAt?: string;
      connection?: { connected: number; registered: number };
      units?: { unitCode: string; evaluation?: { reason: string } }[];
    };
    const generatedAt = latest.generatedAt ?? null;
    snapshot = {
      generatedAt,
      ageSeconds: generatedAt ? Math.round((target.clock() - Date.parse(generatedAt)) / 1000) : null,
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
