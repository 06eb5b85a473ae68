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
import type {
  CatalogProcedure,
  Clock,
  ProcedureCatalogPort,
  QueuePort,
  Refusal,
  UnitDirectoryPort,
  UnitProfile,
} from '../ports.ts';
import { allRejected, checkDossierEvents, type RejectedEvent } from './dossier-events.ts';
import { fieldErrors } from './issues.ts';
import { fromLegacyEmc, legacyFieldErrors, withoutConstants } from './legacy-emc.ts';
import { packGroups } from './pack.ts';
import { refusalsOfRejected } from './refusals.ts';
import { senderProfile } from './sender-profiles.ts';
import { serializeQueuedEvent } from './serialize.ts';
import { heartbeatWarnings, type Warning } from './warnings.ts';

export interface IngestResult {
  status: number;
  body?: unknown;
  /** Events refused inside an accepted request, for the unit's refusal log. */
  refusals?: Refusal[];
}

/**
 * How a request is carried out. A dry run authenticates, validates and answers exactly as a real call, and
 * then hands nothing to the queue, so nothing is counted or archived.
 */
export interface RequestMode {
  dryRun: boolean;
}

export const REAL_RUN: RequestMode = { dryRun: false };

export interface IngestDeps {
  queue: QueuePort;
  schemas: ApiSchemas;
  config: Settings;
  clock: Clock;
  /** The registry, for warnings only; without it nothing is warned about. */
  directory?: UnitDirectoryPort;
  /** The units' synced catalogues, for what a legacy record cannot say; without it nothing is derived. */
  catalogue?: ProcedureCatalogPort;
}

const DISCARD: QueuePort = { send: async () => undefined };

/** The ingest use cases. Each validates, checks the unit's authority, and resolves once the queue holds the data. */
export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  async dossierEvents(
    body: unknown,
    principal: Principal,
    requestId: string,
    mode: RequestMode = REAL_RUN,
  ): Promise<IngestResult> {
    const { schemas, config, clock } = this.deps;
    const profile = await this.profile(principal.unitCode);
    const checked = checkDossierEvents(
      body,
      principal.unitCode,
      clock(),
      schemas,
      config,
      undefined,
      profile,
    );
    return this.queueEvents(checked.accepted, checked.rejected, checked.warnings, principal, requestId, mode);
  }

  /**
   * Answers 204 with no body on success: OpenCPS's JSON path counts only 204 as delivered, and every sender
   * takes it as a 2xx. The record is read by the key's sender profile. A dry run answers 200 with its body.
   */
  async legacyEmc(
    body: unknown,
    principal: Principal,
    requestId: string,
    mode: RequestMode = REAL_RUN,
  ): Promise<IngestResult> {
    const sender = senderProfile(principal.sender);
    const parsed = legacyEmcSchema.safeParse(withoutConstants(normalizeLegacyKeys(body), sender));
    if (!parsed.success) {
      throw new ValidationError('The TrackingMCDT record is not valid.', {
        errors: fieldErrors(parsed.error, '', body),
      });
    }
    const { schemas, config, clock } = this.deps;
    const now = clock();
    const procedure =
      sender.fromCatalogue.length > 0 && parsed.data.codeTTHC !== undefined
        ? await this.catalogued(principal.unitCode, parsed.data.codeTTHC)
        : undefined;
    const event = fromLegacyEmc(parsed.data, sender, {
      arrivedAt: now,
      unitCode: principal.unitCode,
      utcOffsetMinutes: config.time.utcOffsetMinutes,
      ...(procedure && { procedure }),
    });
    const profile = await this.profile(principal.unitCode);
    const checked = checkDossierEvents(
      { events: [event] },
      principal.unitCode,
      now,
      schemas,
      config,
      { dueAtRequired: false, onlineLevelRequired: false },
      profile,
    );
    if (checked.accepted.length === 0) {
      throw new ValidationError('The TrackingMCDT record is not valid.', {
        errors: legacyFieldErrors(checked.rejected.flatMap((rejected) => rejected.errors)),
      });
    }
    await this.queueEvents(checked.accepted, checked.rejected, [], principal, requestId, mode);
    if (!mode.dryRun) return { status: 204 };
    return { status: 200, body: withWarnings({ dryRun: true }, checked.warnings) };
  }

  async heartbeat(body: unknown, principal: Principal, mode: RequestMode = REAL_RUN): Promise<IngestResult> {
    const parsed = this.deps.schemas.heartbeat.safeParse(body);
    if (!parsed.success)
      throw new ValidationError('The heartbeat is not valid.', {
        errors: fieldErrors(parsed.error, '', body),
      });
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
    const warnings = heartbeatWarnings(
      parsed.data.systemId,
      principal.unitCode,
      await this.profile(principal.unitCode),
    );
    await this.queue(mode).send('heartbeats', [JSON.stringify(message)]);
    return { status: 202, body: answer({ accepted: 1, rejected: [] }, warnings, mode) };
  }

  async catalog(body: unknown, principal: Principal, mode: RequestMode = REAL_RUN): Promise<IngestResult> {
    const parsed = this.deps.schemas.catalog.safeParse(body);
    if (!parsed.success)
      throw new ValidationError('The catalogue is not valid.', {
        errors: fieldErrors(parsed.error, '', body),
      });
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
    await this.queue(mode).send('reports', bodies);
    return { status: 202, body: answer({ accepted: items.length, rejected: [], syncId }, [], mode) };
  }

  async dailyTotals(
    body: unknown,
    principal: Principal,
    mode: RequestMode = REAL_RUN,
  ): Promise<IngestResult> {
    const parsed = this.deps.schemas.dailyTotals.safeParse(body);
    if (!parsed.success)
      throw new ValidationError('The daily totals are not valid.', {
        errors: fieldErrors(parsed.error, '', body),
      });
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
    await this.queue(mode).send('reports', [JSON.stringify(message)]);
    return { status: 202, body: answer({ accepted: parsed.data.days.length, rejected: [] }, [], mode) };
  }

  private queue(mode: RequestMode): QueuePort {
    return mode.dryRun ? DISCARD : this.deps.queue;
  }

  /** The registry's view of the unit. A failed read warns about nothing rather than failing the request. */
  private async profile(unitCode: string): Promise<UnitProfile | undefined> {
    return this.deps.directory?.profile(unitCode).catch(() => undefined);
  }

  /** The procedure in the unit's catalogue. A failed read derives nothing rather than failing the record. */
  private async catalogued(unitCode: string, procedureCode: string): Promise<CatalogProcedure | undefined> {
    const procedures = await this.deps.catalogue?.procedures(unitCode).catch(() => undefined);
    // Portals may append the unit to the national code (1.000494.000.00.00.H29); the catalogue lists the code.
    return procedures?.get(procedureCode) ?? procedures?.get(procedureCode.slice(0, 8));
  }

  private async queueEvents(
    accepted: DossierEventsMessage['events'],
    rejected: RejectedEvent[],
    warnings: Warning[],
    principal: Principal,
    requestId: string,
    mode: RequestMode,
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
    await this.queue(mode).send(
      'dossier-events',
      groups.map((group) => head + group.join(',') + tail),
    );
    const result: IngestResult = {
      status: 202,
      body: answer({ accepted: accepted.length, rejected }, warnings, mode),
    };
    if (rejected.length > 0) result.refusals = refusalsOfRejected(rejected);
    return result;
  }
}

function withWarnings<T extends object>(body: T, warnings: readonly Warning[]): T & { warnings?: Warning[] } {
  return warnings.length > 0 ? { ...body, warnings: [...warnings] } : body;
}

/** The 202 body: `warnings` only when there are some, `dryRun` only on a dry run. */
function answer<T extends object>(body: T, warnings: readonly Warning[], mode: RequestMode): object {
  const warned = withWarnings(body, warnings);
  return mode.dryRun ? { ...warned, dryRun: true } : warned;
}

function assertOwnUnit(named: string | undefined, principal: Principal): void {
  if (named !== undefined && named !== principal.unitCode) {
    throw new ForbiddenError(
      `The body names unit ${named}, but the key belongs to unit ${principal.unitCode}.`,
    );
  }
}
