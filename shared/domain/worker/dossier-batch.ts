import {
  type DossierEventsEnvelope,
  type DossierEventsMessage,
  dossierEventsEnvelopeSchema,
  type QueuedEvent,
  queuedEventSchema,
} from '../../schemas/queue.ts';
import { fieldErrors } from '../ingest/issues.ts';
import { type CountOptions, countDossierEvents, type DossierStorePort } from './count-dossier-events.ts';
import {
  type BatchOutcome,
  batchOutcome,
  type PoisonRecord,
  parseRecords,
  type QueueRecord,
} from './sqs-batch.ts';

/** One event of a message that the queue contract refuses, kept with its reason instead of sinking the rest. */
export interface SetAsideEvent {
  messageId: string;
  /** Position of the event in its message. */
  index: number;
  unitCode: string;
  eventId?: string;
  reason: string;
  /** The event as it was queued, JSON. */
  event: string;
}

/** Keeps set-aside events where `emc dlq inspect` shows them; writing the same one twice overwrites it. */
export interface SetAsidePort {
  setAside(feed: 'dossier-events', events: readonly SetAsideEvent[]): Promise<void>;
}

/** A message as the worker archives it: parsed, and its body as queued (which names it). */
export interface ArchivedMessage {
  message: DossierEventsMessage;
  body: string;
}

/**
 * Keeps what units sent, so counters can be rebuilt. Takes the messages of one unit from one batch, stored
 * together so that archive objects are large enough for S3's storage classes; writing the same messages
 * again overwrites them.
 */
export interface ArchivePort {
  putDossierEvents(messages: readonly ArchivedMessage[]): Promise<void>;
}

export interface DossierBatchDeps {
  store: DossierStorePort;
  archive: ArchivePort;
  setAside: SetAsidePort;
  options: CountOptions;
  onPoison(poison: PoisonRecord): void;
  /** A valid record that will be retried, and why. */
  onFailure(messageId: string, error: unknown): void;
  onCounted?(summary: { events: number; changed: number; unchanged: number; maxLagMs: number }): void;
  clock: () => number;
}

/**
 * Splits a message's events into those the contract accepts and those it refuses, each refused one with its
 * reason. Judging events one by one means a single bad event never turns a whole message into poison.
 */
export function splitEvents(
  messageId: string,
  envelope: DossierEventsEnvelope,
): { events: QueuedEvent[]; setAside: SetAsideEvent[] } {
  const events: QueuedEvent[] = [];
  const setAside: SetAsideEvent[] = [];
  envelope.events.forEach((raw, index) => {
    const parsed = queuedEventSchema.safeParse(raw);
    if (parsed.success) {
      events.push(parsed.data);
      return;
    }
    const reason = fieldErrors(parsed.error, `events[${index}]`)
      .slice(0, 5)
      .map((error) => `${error.path}: ${error.message}`)
      .join('; ');
    const eventId =
      typeof raw === 'object' && raw !== null && 'eventId' in raw && typeof raw.eventId === 'string'
        ? raw.eventId
        : undefined;
    const entry: SetAsideEvent = {
      messageId,
      index,
      unitCode: envelope.unitCode,
      reason: `event does not match the queue contract: ${reason}`,
      event: JSON.stringify(raw) ?? 'undefined',
    };
    if (eventId !== undefined) entry.eventId = eventId;
    setAside.push(entry);
  });
  return { events, setAside };
}

/**
 * One SQS batch of dossier events: parse, set aside the events the contract refuses, archive (one write per
 * unit of the batch), count. A record fails (and will be redelivered) if its envelope is poison, if a write of
 * its set-aside events or of its unit's archive fails, or if any of its dossiers could not be committed.
 */
export async function processDossierEventBatch(
  records: readonly QueueRecord[],
  deps: DossierBatchDeps,
): Promise<BatchOutcome> {
  const envelopes = parseRecords(records, dossierEventsEnvelopeSchema);
  const failed: string[] = [];
  for (const item of envelopes.poison) {
    deps.onPoison(item);
    failed.push(item.record.messageId);
  }
  const split = envelopes.parsed.map((item) => ({
    item,
    ...splitEvents(item.record.messageId, item.message),
  }));
  const asideWrites = await Promise.allSettled(
    split.map((entry) =>
      entry.setAside.length > 0 ? deps.setAside.setAside('dossier-events', entry.setAside) : undefined,
    ),
  );
  const parsed: { record: QueueRecord; message: DossierEventsMessage }[] = [];
  split.forEach((entry, index) => {
    const outcome = asideWrites[index];
    if (outcome?.status !== 'fulfilled') {
      deps.onFailure(entry.item.record.messageId, `set-aside write failed: ${String(outcome?.reason)}`);
      failed.push(entry.item.record.messageId);
      return;
    }
    if (entry.events.length === 0) return;
    parsed.push({ record: entry.item.record, message: { ...entry.item.message, events: entry.events } });
  });
  const byUnit = new Map<string, typeof parsed>();
  for (const item of parsed)
    byUnit.set(item.message.unitCode, [...(byUnit.get(item.message.unitCode) ?? []), item]);
  const groups = [...byUnit.values()];
  const archived = await Promise.allSettled(
    groups.map((group) =>
      deps.archive.putDossierEvents(group.map((item) => ({ message: item.message, body: item.record.body }))),
    ),
  );
  const outcomes = new Map(
    groups.flatMap((group, index) => group.map((item) => [item, archived[index]] as const)),
  );
  const ready = parsed.filter((item) => {
    const outcome = outcomes.get(item);
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
  return batchOutcome(failed);
}
