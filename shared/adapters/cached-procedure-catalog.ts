import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { CatalogProcedure, Clock, ProcedureCatalogPort } from '../domain/ports.ts';
import { dynamo } from './dynamo-client.ts';
import { withRetry } from './dynamo-retry.ts';
import { keys } from './state-keys.ts';

type Procedures = ReadonlyMap<string, CatalogProcedure> | undefined;

interface Entry {
  procedures: Procedures;
  until: number;
}

/** A failed read is retried after this long, not on every record of a unit. */
const FAILED_READ_RETRY_MS = 30_000;

const currentCatalogSchema = z.object({
  procedureLevels: z.record(z.string(), z.enum(['none', 'partial', 'full'])),
  feeBearingProcedures: z.array(z.string()),
});

/**
 * The units' current catalogues as the legacy feed reads them: one GetItem per unit per `maxAgeSeconds` per
 * function instance. A catalogue is synced a few times a year, so a copy a few minutes old is enough. A
 * catalogue stored before its fees were kept reads as none, so nothing is derived from half of it until the
 * next sync.
 */
export class CachedProcedureCatalog implements ProcedureCatalogPort {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly table: string,
    private readonly maxAgeSeconds: number,
    private readonly clock: Clock,
    private readonly client: DynamoDBDocumentClient = dynamo,
  ) {}

  async procedures(unitCode: string): Promise<Procedures> {
    const now = this.clock();
    const cached = this.entries.get(unitCode);
    if (cached && cached.until > now) return cached.procedures;
    let entry: Entry;
    try {
      entry = { procedures: await this.read(unitCode), until: now + this.maxAgeSeconds * 1000 };
    } catch {
      entry = { procedures: undefined, until: now + FAILED_READ_RETRY_MS };
    }
    if (this.entries.size > 1_000) this.entries.clear();
    this.entries.set(unitCode, entry);
    return entry.procedures;
  }

  private async read(unitCode: string): Promise<Procedures> {
    const result = await withRetry(() =>
      this.client.send(new GetCommand({ TableName: this.table, Key: keys.catalog(unitCode) })),
    );
    const parsed = currentCatalogSchema.safeParse(result.Item ?? {});
    if (!parsed.success) return undefined;
    const fees = new Set(parsed.data.feeBearingProcedures);
    return new Map(
      Object.entries(parsed.data.procedureLevels).map(([code, onlineLevel]) => [
        code,
        { onlineLevel, feeBearing: fees.has(code) },
      ]),
    );
  }
}
