import type { EvaluationDeps } from './evaluate.ts';
import type { AlertPort, StatusRecord, StatusStorePort } from './ports.ts';

/** Something tried to write during an as-of evaluation; a defect, never reached through the ports below. */
export class AsOfWriteError extends Error {
  override readonly name = 'AsOfWriteError';
}

/** A unit's status as its history says it was at `at`: the last change on or before then. */
export function statusAsOf(record: StatusRecord | undefined, at: number): StatusRecord | undefined {
  if (!record) return undefined;
  const history = record.history.filter((entry) => entry.since <= at);
  const last = history.at(-1);
  if (!last) return undefined;
  return {
    ...record,
    status: last.status,
    reasonCodes: last.reasons,
    since: last.since,
    lastReminderAt: undefined,
    history,
  };
}

/**
 * The ports of an evaluation as of a past time (`emc evaluate --at`, the Lambda's `{at}`): statuses are read
 * as they stood then and never changed, no reminder, digest or alert is claimed or sent, and the snapshots go
 * to an as-of path, never `latest`. Evaluating the past must not rewrite the present.
 */
export function asOfDeps(deps: EvaluationDeps): EvaluationDeps {
  const live = deps.statuses;
  const statuses: StatusStorePort = {
    get: async (unitCode) => statusAsOf(await live.get(unitCode), deps.at),
    transition: async () => false,
    claimReminder: async () => false,
    claimDigest: async () => false,
    heldAlerts: async () => [],
    settleHold: async () => {
      throw new AsOfWriteError('an as-of evaluation settles no hold');
    },
    pendingAlerts: async () => [],
    claimAlert: async () => false,
    markSent: async () => {
      throw new AsOfWriteError('an as-of evaluation marks no alert sent');
    },
  };
  const alerts: AlertPort = {
    publish: async () => {
      throw new AsOfWriteError('an as-of evaluation sends no alert');
    },
  };
  return {
    ...deps,
    mode: 'asOf',
    statuses,
    alerts,
    snapshots: {
      publish: (files) => deps.snapshots.publishAsOf(files),
      publishAsOf: (files) => deps.snapshots.publishAsOf(files),
    },
  };
}
