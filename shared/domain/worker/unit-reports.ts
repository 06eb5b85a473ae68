import {
  type CatalogPartMessage,
  type DailyTotalsMessage,
  type HeartbeatMessage,
  heartbeatMessageSchema,
  reportMessageSchema,
} from '../../schemas/queue.ts';
import {
  type BatchOutcome,
  batchOutcome,
  type PoisonRecord,
  parseRecords,
  type QueueRecord,
} from './sqs-batch.ts';

export interface CatalogSummary {
  procedures: number;
  online: number;
  fullOnline: number;
  feeBearing: number;
}

export interface UnitReportStorePort {
  recordHeartbeat(message: HeartbeatMessage): Promise<void>;
  /** Stores one part; once every part of the sync is present, makes it the unit's catalogue and returns its summary. */
  storeCatalogPart(message: CatalogPartMessage): Promise<CatalogSummary | undefined>;
  storeDailyTotals(message: DailyTotalsMessage): Promise<void>;
}

interface Deps {
  store: UnitReportStorePort;
  onPoison(poison: PoisonRecord): void;
  onFailure(messageId: string, error: unknown): void;
}

async function eachRecord<T>(
  records: readonly QueueRecord[],
  schema: Parameters<typeof parseRecords<T>>[1],
  deps: Deps,
  apply: (message: T) => Promise<unknown>,
): Promise<BatchOutcome> {
  const { parsed, poison } = parseRecords(records, schema);
  const failed = poison.map((item) => {
    deps.onPoison(item);
    return item.record.messageId;
  });
  await Promise.all(
    parsed.map(async ({ record, message }) => {
      try {
        await apply(message);
      } catch (error) {
        deps.onFailure(record.messageId, error);
        failed.push(record.messageId);
      }
    }),
  );
  return batchOutcome(failed);
}

/** Heartbeats: each record is independent; a failure is retried alone. */
export function processHeartbeatBatch(records: readonly QueueRecord[], deps: Deps): Promise<BatchOutcome> {
  return eachRecord(records, heartbeatMessageSchema, deps, (message) => deps.store.recordHeartbeat(message));
}

/** Catalogue parts and self-reported daily totals. */
export function processReportBatch(records: readonly QueueRecord[], deps: Deps): Promise<BatchOutcome> {
  return eachRecord(records, reportMessageSchema, deps, (message) =>
    message.kind === 'catalog-part'
      ? deps.store.storeCatalogPart(message)
      : deps.store.storeDailyTotals(message),
  );
}
