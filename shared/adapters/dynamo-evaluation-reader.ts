import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { addInto, COUNTERS, type CounterValues } from '../domain/dossier/counters.ts';
import type { EvaluationReadPort, ReadPlan, UnitData } from '../domain/evaluation/ports.ts';
import type { CapacityMeter } from './capacity-meter.ts';
import { dynamo } from './dynamo-client.ts';
import type { DynamoDossierStore } from './dynamo-dossier-store.ts';
import { queryAll } from './dynamo-query.ts';
import { withRetry } from './dynamo-retry.ts';
import { backoffMs, sleep } from './retry.ts';
import { bucketOf, keys, sortableTime } from './state-keys.ts';

type Item = Record<string, unknown>;

/** The counters of one counter item (`C#…`), zeros left out. */
export function counters(item: Item): CounterValues {
  const values: CounterValues = {};
  for (const name of COUNTERS) {
    const value = item[name];
    if (typeof value === 'number' && value !== 0) values[name] = value;
  }
  return values;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

const procedureLevelsSchema = z.record(z.string(), z.enum(['none', 'partial', 'full']));

function catalogOf(item: Item | undefined): UnitData['catalog'] {
  if (!item || num(item.syncedAt) === undefined) return undefined;
  const catalog: NonNullable<UnitData['catalog']> = {
    syncedAt: num(item.syncedAt) ?? 0,
    procedures: num(item.procedures) ?? 0,
    online: num(item.online) ?? 0,
    fullOnline: num(item.fullOnline) ?? 0,
  };
  // Catalogues stored before levels were kept have none: their services cannot be matched until the next sync.
  if (item.procedureLevels !== undefined) catalog.levels = procedureLevelsSchema.parse(item.procedureLevels);
  return catalog;
}

function reportedDay(date: string, item: Item): UnitData['dailyTotals'][number] {
  return {
    date,
    reportedAt: num(item.reportedAt) ?? 0,
    received: num(item.received) ?? 0,
    receivedOnline: num(item.receivedOnline) ?? 0,
    resolved: num(item.resolved) ?? 0,
    resolvedOnTime: num(item.resolvedOnTime) ?? 0,
  };
}

/** An online-services item: a procedure's online dossiers by month of its year (`MM` → count). */
function serviceOf(item: Item): UnitData['services'][number] {
  return {
    procedureCode: String(item.sk),
    months: Object.fromEntries(
      Object.entries(item)
        .filter(([name, value]) => /^m\d\d$/.test(name) && typeof value === 'number')
        .map(([name, value]) => [name.slice(1), Number(value)]),
    ),
  };
}

/** Agency items of a counter partition (`A#<agency>`), optionally only some agencies. */
function agencyRows(
  items: Item[],
  keep: (agencyCode: string) => boolean = () => true,
): Map<string, CounterValues> {
  return new Map(
    items
      .filter((item) => String(item.sk).startsWith('A#') && keep(String(item.sk).slice(2)))
      .map((item) => [String(item.sk).slice(2), counters(item)] as const),
  );
}

/**
 * Reads what one unit's evaluation needs with a fixed number of requests per unit: two BatchGetItem calls
 * (the day series, the months, the feed and the catalogue), one Query per day or month partition of agency
 * counters, and one each for heartbeats, self-reported totals and online services (two when the coverage
 * window reaches into the previous year). Pending deltas are folded
 * first, so the counters are complete.
 */
export class DynamoEvaluationReader implements EvaluationReadPort {
  constructor(
    private readonly table: string,
    private readonly dossiers: DynamoDossierStore,
    private readonly client: DynamoDBDocumentClient = dynamo,
    private readonly meter?: CapacityMeter,
  ) {}

  async readUnit(
    unitCode: string,
    plan: ReadPlan,
    agencies?: (agencyCode: string) => boolean,
  ): Promise<UnitData> {
    await this.dossiers.fold(unitCode, 1);
    if (agencies) {
      // Part of a split unit: every series comes from the agency items of the agencies this part carries.
      const periods = [
        ...new Set([...plan.unitDays, ...plan.unitMonths, ...plan.agencyDays, ...plan.agencyMonths]),
      ];
      const partitions = await Promise.all(
        periods.map((period) => this.query(keys.counterPartition(unitCode, period))),
      );
      const byPeriod = new Map(
        periods.map((period, index) => [period, agencyRows(partitions[index] ?? [], agencies)]),
      );
      const total = (period: string): [string, CounterValues][] => {
        const rows = [...(byPeriod.get(period)?.values() ?? [])];
        if (rows.length === 0) return [];
        const sum: CounterValues = {};
        for (const row of rows) addInto(sum, row);
        return [[period, sum]];
      };
      const pick = (list: string[]) => new Map(list.map((p) => [p, byPeriod.get(p) ?? new Map()]));
      return {
        heartbeats: new Map(),
        lastDossierEventAt: undefined,
        catalog: undefined,
        dailyTotals: [],
        unitDays: new Map(plan.unitDays.flatMap(total)),
        unitMonths: new Map(plan.unitMonths.flatMap(total)),
        agencyDays: pick(plan.agencyDays),
        agencyMonths: pick(plan.agencyMonths),
        services: [],
      };
    }
    const dayKeys = plan.unitDays.map((day) => ({
      pk: keys.counterPartition(unitCode, day),
      sk: keys.unitSort,
    }));
    const monthKeys = plan.unitMonths.map((month) => ({
      pk: keys.counterPartition(unitCode, month),
      sk: keys.unitSort,
    }));
    const [items, heartbeats, totals, services, servicesBefore, agencyDays, agencyMonths] = await Promise.all(
      [
        this.batchGet([...dayKeys, ...monthKeys, keys.feed(unitCode), keys.catalog(unitCode)]),
        this.query(keys.heartbeatPartition(unitCode)),
        this.query(keys.dailyTotalsPartition(unitCode), [plan.totalsFrom, plan.totalsTo]),
        this.query(keys.servicePartition(unitCode, plan.year)),
        plan.servicesYearBefore ? this.query(keys.servicePartition(unitCode, plan.servicesYearBefore)) : [],
        Promise.all(plan.agencyDays.map((day) => this.query(keys.counterPartition(unitCode, day)))),
        Promise.all(plan.agencyMonths.map((month) => this.query(keys.counterPartition(unitCode, month)))),
      ],
    );
    const byKey = new Map(items.map((item) => [`${item.pk}|${item.sk}`, item]));
    const get = (key: { pk: string; sk: string }): Item | undefined => byKey.get(`${key.pk}|${key.sk}`);
    const series = (periods: string[]): Map<string, CounterValues> =>
      new Map(
        periods.flatMap((period) => {
          const item = get({ pk: keys.counterPartition(unitCode, period), sk: keys.unitSort });
          return item ? [[period, counters(item)] as const] : [];
        }),
      );
    const byAgency = (partitions: Item[][], periods: string[]): Map<string, Map<string, CounterValues>> =>
      new Map(periods.map((period, index) => [period, agencyRows(partitions[index] ?? [])]));
    const feed = get(keys.feed(unitCode));
    const data: UnitData = {
      heartbeats: new Map(
        heartbeats.flatMap((item) =>
          num(item.lastSeenAt) === undefined ? [] : [[String(item.sk), num(item.lastSeenAt) ?? 0]],
        ),
      ),
      lastDossierEventAt: num(feed?.lastEventAt),
      catalog: catalogOf(get(keys.catalog(unitCode))),
      dailyTotals: totals.map((item) => reportedDay(String(item.sk), item)),
      unitDays: series(plan.unitDays),
      unitMonths: series(plan.unitMonths),
      agencyDays: byAgency(agencyDays, plan.agencyDays),
      agencyMonths: byAgency(agencyMonths, plan.agencyMonths),
      services: services.map(serviceOf),
      ...(plan.servicesYearBefore ? { servicesYearBefore: servicesBefore.map(serviceOf) } : {}),
    };
    await this.asOf(unitCode, plan, data);
    return data;
  }

  /**
   * When a signal is newer than the evaluation time, replaces it with what had been received by then, from
   * the history items. Evaluating "now" never gets here, so it costs no extra reads.
   */
  private async asOf(unitCode: string, plan: ReadPlan, data: UnitData): Promise<void> {
    const at = plan.asOf;
    const latestBefore = async (pk: string, upTo: string, attribute: string): Promise<number | undefined> => {
      const items = await this.query(pk, [' ', upTo], 3);
      const times = items
        .map((item) => num(item[attribute]))
        .filter((t): t is number => t !== undefined && t <= at);
      return times.length > 0 ? Math.max(...times) : undefined;
    };
    for (const [system, seen] of [...data.heartbeats]) {
      if (seen <= at) continue;
      const earlier = await latestBefore(keys.heartbeatHistory(unitCode, system), bucketOf(at), 'lastSeenAt');
      if (earlier === undefined) data.heartbeats.delete(system);
      else data.heartbeats.set(system, earlier);
    }
    if (data.lastDossierEventAt !== undefined && data.lastDossierEventAt > at) {
      data.lastDossierEventAt = await latestBefore(keys.feedHistory(unitCode), bucketOf(at), 'lastEventAt');
    }
    if (data.catalog && data.catalog.syncedAt > at) {
      const [sync] = await this.query(keys.catalogHistory(unitCode), [' ', sortableTime(at)], 1);
      data.catalog = catalogOf(sync);
    }
    if (data.dailyTotals.some((day) => day.reportedAt > at)) {
      const versions = await this.query(keys.dailyTotalsHistory(unitCode), [
        `${plan.totalsFrom}#`,
        `${plan.totalsTo}#~`,
      ]);
      const byDate = new Map<string, Record<string, unknown>>();
      for (const item of versions) {
        const reportedAt = num(item.reportedAt) ?? Number.POSITIVE_INFINITY;
        const date = String(item.sk).split('#')[0] ?? '';
        const current = byDate.get(date);
        if (reportedAt <= at && (!current || reportedAt > (num(current.reportedAt) ?? 0)))
          byDate.set(date, item);
      }
      data.dailyTotals = [...byDate].map(([date, item]) => reportedDay(date, item));
    }
  }

  private async batchGet(wanted: { pk: string; sk: string }[]): Promise<Item[]> {
    const found: Item[] = [];
    for (let start = 0; start < wanted.length; start += 100) {
      let request: Record<string, { Keys: Item[] }> | undefined = {
        [this.table]: { Keys: wanted.slice(start, start + 100) },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffMs(attempt, 25, 1_000));
        const batch: Record<string, { Keys: Item[] }> = request;
        const result = await withRetry(() =>
          this.client.send(new BatchGetCommand({ RequestItems: batch, ReturnConsumedCapacity: 'TOTAL' })),
        );
        this.meter?.record(result.ConsumedCapacity, 'read');
        found.push(...(result.Responses?.[this.table] ?? []));
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  /** All items of a partition (optionally a sort-key range); with `newestFirst`, at most that many, newest first. */
  private query(pk: string, between?: [string, string], newestFirst?: number): Promise<Item[]> {
    return queryAll(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: between ? 'pk = :pk AND sk BETWEEN :a AND :b' : 'pk = :pk',
        ExpressionAttributeValues: between
          ? { ':pk': pk, ':a': between[0], ':b': between[1] }
          : { ':pk': pk },
        ...(newestFirst === undefined ? {} : { ScanIndexForward: false, Limit: newestFirst }),
      },
      this.meter,
    );
  }
}
