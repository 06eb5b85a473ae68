import { randomUUID } from 'node:crypto';
import type { Settings } from '../../config/settings.ts';
import type { ApiSchemas } from '../../schemas/api.ts';
import { legacyEmcSchema, normalizeLegacyKeys } from '../../schemas/legacy-emc.ts';
import type {
  CatalogPartMessage,
  DailyTotalsMessage,
  DossierEventsMessage,
  HeartbeatMessage,
} from '../../schemas/queue.ts';
import type { Principal } from '../auth/api-keys.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import type { Clock, QueuePort } from '../ports.ts';
import { allRejected, checkDossierEvents, type RejectedEvent } from './dossier-events.ts';
import { fieldErrors } from './issues.ts';
import { fromLegacyEmc, legacyFieldErrors, withoutConstants } from './legacy-emc.ts';
import { packGroups } from './pack.ts';
import { senderProfile } from './sender-profiles.ts';
import { serializeQueuedEvent } from './serialize.ts';

export interface IngestResult {
  status: number;
  body?: unknown;
}

export interface IngestDeps {
  queue: QueuePort;
  schemas: ApiSchemas;
  config: Settings;
  clock: Clock;
}

/** The ingest use cases. Each validates, checks the unit's authority, and resolves once the queue holds the data. */
export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  async dossierEvents(body: unknown, principal: Principal, requestId: string): Promise<IngestResult> {
    const { schemas, config, clock } = this.deps;
    const checked = checkDossierEvents(body, principal.unitCode, clock(), schemas, config);
    return this.queueEvents(checked.accepted, checked.rejected, principal, requestId);
  }

  /**
   * Answers 204 with no body on success: OpenCPS's JSON path counts only 204 as delivered, and every sender
   * takes it as a 2xx. The record is read by the key's sender profile.
   */
  async legacyEmc(body: unknown, principal: Principal, requestId: string): Promise<IngestResult> {
    const profile = senderProfile(principal.sender);
    const parsed = legacyEmcSchema.safeParse(withoutConstants(normalizeLegacyKeys(body), profile));
    if (!parsed.success) {
      throw new ValidationError('The TrackingMCDT record is not valid.', {
        errors: fieldErrors(parsed.error),
      });
    }
    const { schemas, config, clock } = this.deps;
    const now = clock();
    const event = fromLegacyEmc(parsed.data, profile, {
      arrivedAt: now,
      unitCode: principal.unitCode,
      utcOffsetMinutes: config.time.utcOffsetMinutes,
    });
    const checked = checkDossierEvents({ events: [event] }, principal.unitCode, now, schemas, config, {
      dueAtRequired: false,
      onlineLevelRequired: false,
    });
    if (checked.accepted.length === 0) {
      throw new ValidationError('The TrackingMCDT record is not valid.', {
        errors: legacyFieldErrors(checked.rejected.flatMap((rejected) => rejected.errors)),
      });
    }
    await this.queueEvents(checked.accepted, checked.rejected, principal, requestId);
    return { status: 204 };
  }

  async heartbeat(body: unknown, principal: Principal): Promise<IngestResult> {
    const parsed = this.deps.schemas.heartbeat.safeParse(body);
    if (!parsed.success)
      throw new ValidationError('The heartbeat is not valid.', { errors: fieldErrors(parsed.error) });
    assertOwnUnit(parsed.data.unitCode, principal);
    const message: HeartbeatMessage = {
      v: 1,
      kind: 'heartbeat',
      unitCode: principal.unitCode,
      systemId: parsed.data.systemId,
      receivedAt: this.deps.clock(),
      sentAt: parsed.data.sentAt,
    };
    if (parsed.data.softwareVersion !== undefined) message.softwareVersion = parsed.data.softwareVersion;
    if (parsed.data.pendingDossiers !== undefined) message.pendingDossiers = parsed.data.pendingDossiers;
    await this.deps.queue.send('heartbeats', [JSON.stringify(message)]);
    return { status: 202, body: { accepted: 1, rejected: [] } };
  }

  async catalog(body: unknown, principal: Principal): Promise<IngestResult> {
    const parsed = this.deps.schemas.catalog.safeParse(body);
    if (!parsed.success)
      throw new ValidationError('The catalogue is not valid.', { errors: fieldErrors(parsed.error) });
    assertOwnUnit(parsed.data.unitCode, principal);
    const syncId = `${this.deps.clock()}-${randomUUID()}`;
    const header: Omit<CatalogPartMessage, 'part' | 'parts' | 'procedures'> = {
      v: 1,
      kind: 'catalog-part',
      unitCode: principal.unitCode,
      syncId,
      receivedAt: this.deps.clock(),
    };
    const frame = JSON.stringify({ ...header, part: 99_999, parts: 99_999, procedures: [] });
    const items = parsed.data.procedures.map((procedure) => JSON.stringify(procedure));
    const groups = packGroups(items, Buffer.byteLength(frame), this.deps.config.ingest.maxQueueMessageBytes);
    const bodies = groups.map(
      (group, part) =>
        `${JSON.stringify({ ...header, part, parts: groups.length }).slice(0, -1)},"procedures":[${group.join(',')}]}`,
    );
    await this.deps.queue.send('reports', bodies);
    return { status: 202, body: { accepted: items.length, rejected: [], syncId } };
  }

  async dailyTotals(body: unknown, principal: Principal): Promise<IngestResult> {
    const parsed = this.deps.schemas.dailyTotals.safeParse(body);
    if (!parsed.success)
      throw new ValidationError('The daily totals are not valid.', { errors: fieldErrors(parsed.error) });
    assertOwnUnit(parsed.data.unitCode, principal);
    const errors = parsed.data.days.flatMap((day, index) => {
      const problems: { path: string; message: string }[] = [];
      if (day.receivedOnline > day.received)
        problems.push({ path: `days[${index}].receivedOnline`, message: 'must not exceed received' });
      if (day.resolvedOnTime > day.resolved)
        problems.push({ path: `days[${index}].resolvedOnTime`, message: 'must not exceed resolved' });
      return problems;
    });
    if (errors.length > 0) throw new ValidationError('The daily totals are not consistent.', { errors });
    const message: DailyTotalsMessage = {
      v: 1,
      kind: 'daily-totals',
      unitCode: principal.unitCode,
      receivedAt: this.deps.clock(),
      days: parsed.data.days,
    };
    await this.deps.queue.send('reports', [JSON.stringify(message)]);
    return { status: 202, body: { accepted: parsed.data.days.length, rejected: [] } };
  }

  private async queueEvents(
    accepted: DossierEventsMessage['events'],
    rejected: RejectedEvent[],
    principal: Principal,
    requestId: string,
  ): Promise<IngestResult> {
    if (accepted.length === 0) throw allRejected(rejected);
    const head = `{"v":1,"kind":"dossier-events","unitCode":${JSON.stringify(principal.unitCode)},"requestId":${JSON.stringify(
      requestId,
    )},"acceptedAt":${this.deps.clock()},"events":[`;
    const tail = ']}';
    const items = accepted.map(serializeQueuedEvent);
    const groups = packGroups(
      items,
      Buffer.byteLength(head) + tail.length,
      this.deps.config.ingest.maxQueueMessageBytes,
    );
    await this.deps.queue.send(
      'dossier-events',
      groups.map((group) => head + group.join(',') + tail),
    );
    return { status: 202, body: { accepted: accepted.length, rejected } };
  }
}

function assertOwnUnit(named: string | undefined, principal: Principal): void {
  if (named !== undefined && named !== principal.unitCode) {
    throw new ForbiddenError(
      `The body names unit ${named}, but the key belongs to unit ${principal.unitCode}.`,
    );
  }
}
