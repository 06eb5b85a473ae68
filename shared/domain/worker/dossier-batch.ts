import { type DossierEventsMessage, dossierEventsMessageSchema } from '../../schemas/queue.ts';
import { type CountOptions, countDossierEvents, type DossierStorePort } from './count-dossier-events.ts';
import {
  type BatchResponse,
  batchResponse,
  type PoisonRecord,
  parseRecords,
  type QueueRecord,
} from './sqs-batch.ts';

/** Keeps what units sent, so counters can be rebuilt; writing the same message twice overwrites it. */
export interface ArchivePort {
  putDossierEvents(message: DossierEventsMessage, body: string): Promise<void>;
}

export interface DossierBatchDeps {
  store: DossierStorePort;
  archive: ArchivePort;
  options: CountOptions;
  onPoison(poison: PoisonRecord): void;
  /** A valid record that will be retried, and why. */
  onFailure(messageId: string, error: unknown): void;
  onCounted?(summary: { events: number; changed: number; unchanged: number; maxLagMs: number }): void;
  clock: () => number;
}

/**
 * One SQS batch of dossier events: parse, archive, count. A record fails (and will be redelivered) if it is
 * poison, if its archive write fails, or if any of its dossiers could not be committed.
 */
export async function processDossierEventBatch(
  records: readonly QueueRecord[],
  deps: DossierBatchDeps,
): Promise<BatchResponse> {
  const { parsed, poison } = parseRecords(records, dossierEventsMessageSchema);
  const failed: string[] = [];
  for (const item of poison) {
    deps.onPoison(item);
    failed.push(item.record.messageId);
  }
  const archived = await Promise.allSettled(
    parsed.map((item) => deps.archive.putDossierEvents(item.message, item.record.body)),
  );
  const ready = parsed.filter((item, index) => {
    const outcome = archived[index];
    if (outcome?.status === 'fulfilled') return true;
    deps.onFailure(item.record.messageId, `archive write failed: ${String(outcome?.reason)}`);
    failed.push(item.record.messageId);
    return false;
  });
  const result = await countDossierEvents(
    ready.map((item) => ({ id: item.record.messageId, message: item.message })),
    deps.store,
    deps.options,
  );
  for (const [messageId, reason] of result.reasons) deps.onFailure(messageId, reason);
  failed.push(...result.failedMessageIds);
  const now = deps.clock();
  deps.onCounted?.({
    events: ready.reduce((sum, item) => sum + item.message.events.length, 0),
    changed: result.changedDossiers,
    unchanged: result.unchangedDossiers,
    maxLagMs: ready.reduce((max, item) => Math.max(max, now - item.message.acceptedAt), 0),
  });
  return batchResponse(failed);
}
