/**
 * Key layout of the state table (partition key `pk`, sort key `sk`). See docs/data-model.md for the access
 * patterns; every partition is scoped to one unit or to one dossier, so no key is national.
 */
export const keys = {
  dossier: (unit: string, dossier: string) => ({ pk: `D#${unit}#${dossier}`, sk: '-' }),
  pendingPartition: (unit: string) => `P#${unit}`,
  /** Why a queue record last failed, kept while it may sit in a DLQ. */
  failure: (feed: string, messageId: string) => ({ pk: `F#${messageId}`, sk: feed }),
  /** Events a worker set aside, one partition per feed and UTC day, so none is hot and a sweep is bounded. */
  setAsidePartition: (feed: string, day: string) => `X#${feed}#${day}`,
  setAsideSort: (messageId: string, index: number) => `${messageId}#${String(index).padStart(4, '0')}`,
  /** While a rebuild swaps a unit's counters, this item holds the unit's dossier commits back. */
  hold: (unit: string) => ({ pk: `W#${unit}`, sk: 'hold' }),
  /** Day and month partitions hold one item per agency plus the unit total `U`. */
  counterPartition: (unit: string, period: string) => `C#${unit}#${period}`,
  agencySort: (agency: string) => `A#${agency}`,
  unitSort: 'U',
  servicePartition: (unit: string, year: string) => `S#${unit}#${year}`,
  feed: (unit: string) => ({ pk: `L#${unit}`, sk: 'feed' }),
  heartbeat: (unit: string, system: string) => ({ pk: `H#${unit}`, sk: system }),
  heartbeatPartition: (unit: string) => `H#${unit}`,
  catalogPart: (unit: string, syncId: string, part: number) => ({
    pk: `K#${unit}#${syncId}`,
    sk: String(part).padStart(5, '0'),
  }),
  catalogPartsPartition: (unit: string, syncId: string) => `K#${unit}#${syncId}`,
  catalog: (unit: string) => ({ pk: `K#${unit}`, sk: 'current' }),
  dailyTotals: (unit: string, date: string) => ({ pk: `R#${unit}`, sk: date }),
  dailyTotalsPartition: (unit: string) => `R#${unit}`,
  /** History for evaluating as of a past time: newest value per 5 minutes, each catalogue sync, each report. */
  heartbeatHistory: (unit: string, system: string) => `HH#${unit}#${system}`,
  feedHistory: (unit: string) => `LH#${unit}`,
  catalogHistory: (unit: string) => `KH#${unit}`,
  dailyTotalsHistory: (unit: string) => `RH#${unit}`,
  /** Refusals of one unit on one day (Vietnam time), one item per reason. */
  refusals: (unit: string, day: string, reason: string) => ({ pk: `X#${unit}#${day}`, sk: reason }),
  refusalPartition: (unit: string, day: string) => `X#${unit}#${day}`,
  /** The archive of dossiers an operator voided (`emc dossiers void`), one item per dossier, kept for good. */
  voidRecord: (unit: string, dossier: string) => ({ pk: `V#${unit}`, sk: dossier }),
  voidPartition: (unit: string) => `V#${unit}`,
  /**
   * What was set aside after acceptance, one partition per unit: `q#<message>#<index>` for an event the worker
   * quarantined, `d#<feed>#<message>` for a message that went to a dead-letter queue. Rewriting one overwrites it.
   */
  setAsideByUnitPartition: (unit: string) => `Q#${unit}`,
} as const;

/** Five-minute buckets (UTC) and zero-padded times sort as strings in time order. */
export const bucketOf = (ms: number): string => new Date(ms - (ms % 300_000)).toISOString().slice(0, 16);
export const sortableTime = (ms: number): string => String(ms).padStart(15, '0');
/** How far back `--at` can look at connection signals. */
export const HISTORY_TTL_SECONDS = 35 * 86_400;

/** Registry, connection status and the alert outbox. */
export const registryKeys = {
  registryPartition: 'REG',
  unit: (unit: string) => ({ pk: 'REG', sk: unit }),
  status: (unit: string) => ({ pk: `E#${unit}`, sk: 'status' }),
  outboxPartition: 'OUTBOX',
  outbox: (alertId: string) => ({ pk: 'OUTBOX', sk: alertId }),
  heldPartition: 'HELD',
  held: (holdId: string, alertId: string) => ({ pk: 'HELD', sk: `${holdId}#${alertId}` }),
  digest: (kind: string, period: string) => ({ pk: `DIGEST#${kind}`, sk: period }),
} as const;
