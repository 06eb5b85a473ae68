import type { LifecycleEntry, Successor, Unit } from '../../schemas/registry.ts';
import { addDays } from '../time.ts';

/**
 * Units over time. A unit exists from `createdOn` until the day before `retiredOn`; once retired, its whole
 * lineage (every counter it ever had) is attributed to its successors, so the figures of the 34 provinces
 * after 1 July 2025 include what the 63 did before. Evaluations as of an earlier day see the registry as it
 * was then, so dated snapshots stay reproducible.
 */

export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
}

export function existsOn(unit: Unit, day: string): boolean {
  if (unit.createdOn !== undefined && day < unit.createdOn) return false;
  if (unit.retiredOn !== undefined) return day < unit.retiredOn;
  return unit.status === 'active';
}

/** The name the unit had on that day. */
export function nameOn(unit: Unit, day: string): string {
  const earlier = [...unit.formerNames]
    .sort((a, b) => a.until.localeCompare(b.until))
    .find((former) => day < former.until);
  return earlier?.name ?? unit.name;
}

/** Which agencies of a predecessor count for a successor; every filter along the chain must pass. */
export interface AgencyFilter {
  only?: string[];
  except?: string[];
}

export function agencyPasses(filters: readonly AgencyFilter[], agencyCode: string): boolean {
  return filters.every(
    (filter) =>
      (filter.only === undefined || filter.only.includes(agencyCode)) &&
      (filter.except === undefined || !filter.except.includes(agencyCode)),
  );
}

/** A retired unit whose figures a successor carries. */
export interface Predecessor {
  unitCode: string;
  name: string;
  retiredOn: string;
  /** Empty for a merge: everything. A split passes only the agencies given to this successor. */
  filters: AgencyFilter[];
  /** Online services are counted per procedure, not per agency: they go to one successor only. */
  services: boolean;
}

/** Each edge of a retired unit to one successor: which agencies follow it, and whether services do. */
function edges(unit: Unit): { unitCode: string; filter: AgencyFilter | undefined; services: boolean }[] {
  const listed = unit.successors.flatMap((s) => s.agencies ?? []);
  return unit.successors.map((successor) => {
    if (successor.agencies !== undefined)
      return { unitCode: successor.unitCode, filter: { only: successor.agencies }, services: false };
    return {
      unitCode: successor.unitCode,
      filter: listed.length > 0 ? { except: listed } : undefined,
      services: true,
    };
  });
}

/** For every unit that exists on `day`, the retired units whose figures it carries (through any chain). */
export function predecessorsOn(units: readonly Unit[], day: string): Map<string, Predecessor[]> {
  const byCode = new Map(units.map((unit) => [unit.unitCode, unit]));
  const result = new Map<string, Predecessor[]>();
  const retiredBy = (unit: Unit): boolean => unit.retiredOn !== undefined && unit.retiredOn <= day;
  const follow = (
    origin: Unit,
    through: Unit,
    filters: AgencyFilter[],
    services: boolean,
    seen: Set<string>,
  ): void => {
    for (const edge of edges(through)) {
      const next = byCode.get(edge.unitCode);
      if (!next || seen.has(next.unitCode)) continue;
      const chain = edge.filter ? [...filters, edge.filter] : filters;
      if (existsOn(next, day)) {
        const list = result.get(next.unitCode) ?? [];
        list.push({
          unitCode: origin.unitCode,
          name: nameOn(origin, addDays(origin.retiredOn ?? day, -1)),
          retiredOn: origin.retiredOn ?? day,
          filters: chain,
          services: services && edge.services,
        });
        result.set(next.unitCode, list);
      } else if (retiredBy(next)) {
        follow(origin, next, chain, services && edge.services, new Set([...seen, next.unitCode]));
      }
    }
  };
  for (const unit of units) {
    if (retiredBy(unit)) follow(unit, unit, [], true, new Set([unit.unitCode]));
  }
  return result;
}

const entry = (
  at: number,
  action: LifecycleEntry['action'],
  detail: string,
  on?: string,
): LifecycleEntry => ({
  at: new Date(at).toISOString(),
  action,
  ...(on === undefined ? {} : { on }),
  detail,
});

export function must(units: ReadonlyMap<string, Unit>, code: string): Unit {
  const unit = units.get(code);
  if (!unit) throw new LifecycleError(`Unit ${code} is not registered.`);
  return unit;
}

function mustExistOn(unit: Unit, day: string, role: string): void {
  if (!existsOn(unit, day))
    throw new LifecycleError(
      `${role} ${unit.unitCode} does not exist on ${day}: it is retired or not yet created.`,
    );
}

export function renameUnit(unit: Unit, name: string, on: string, at: number): Unit {
  if (unit.name === name) return unit;
  return {
    ...unit,
    name,
    formerNames: [...unit.formerNames, { name: unit.name, until: on }],
    history: [...unit.history, entry(at, 'renamed', `${unit.name} → ${name}`, on)],
  };
}

export function setPaused(unit: Unit, paused: boolean, at: number, reason = ''): Unit {
  if (unit.paused === paused) return unit;
  const action = paused ? 'paused' : 'resumed';
  return { ...unit, paused, history: [...unit.history, entry(at, action, reason || action)] };
}

/** Retires a unit that nobody succeeds: its figures stay its own and is no longer published. */
export function retireUnit(unit: Unit, on: string, at: number): Unit {
  if (unit.retiredOn === on && unit.successors.length === 0) return unit;
  mustExistOn(unit, addDays(on, -1), 'Unit');
  return {
    ...unit,
    status: 'retired',
    retiredOn: on,
    history: [...unit.history, entry(at, 'retired', `retired from ${on}`, on)],
  };
}

/**
 * Merges units into a successor from day `on`. Returns the units that change, nothing when the merge was
 * already done (so a plan can be applied again after an interruption), and refuses a conflicting one.
 */
export function mergeUnits(
  all: readonly Unit[],
  into: string,
  from: readonly string[],
  on: string,
  at: number,
): Unit[] {
  const units = new Map(all.map((unit) => [unit.unitCode, unit]));
  const successor = must(units, into);
  const merged = [...new Set(from)].map((code) => must(units, code));
  if (merged.some((unit) => unit.unitCode === into))
    throw new LifecycleError(`A unit cannot be merged into itself (${into}).`);
  const done = merged.filter(
    (unit) => unit.retiredOn === on && unit.successors.length === 1 && unit.successors[0]?.unitCode === into,
  );
  const todo = merged.filter((unit) => !done.includes(unit));
  if (todo.length === 0) return [];
  mustExistOn(successor, on, 'Successor');
  for (const unit of todo) mustExistOn(unit, addDays(on, -1), 'Merged unit');
  const known = new Set(successor.agencies.map((agency) => agency.agencyCode));
  const changed = todo.map(
    (unit): Unit => ({
      ...unit,
      status: 'retired',
      retiredOn: on,
      successors: [{ unitCode: into }],
      history: [...unit.history, entry(at, 'merged', `merged into ${into}`, on)],
    }),
  );
  return [
    ...changed,
    {
      ...successor,
      agencies: [
        ...successor.agencies,
        ...todo.flatMap((unit) => unit.agencies).filter((agency) => !known.has(agency.agencyCode)),
      ],
      history: [
        ...successor.history,
        entry(at, 'absorbed', `absorbed ${todo.map((unit) => unit.unitCode).join(', ')}`, on),
      ],
    },
  ];
}

/**
 * Splits a unit between successors from day `on`. Each part lists the agencies it takes over; exactly one
 * part lists none and takes the rest, including online services, which are counted per procedure.
 */
export function splitUnit(
  all: readonly Unit[],
  from: string,
  parts: readonly Successor[],
  on: string,
  at: number,
): Unit[] {
  const units = new Map(all.map((unit) => [unit.unitCode, unit]));
  const source = must(units, from);
  if (parts.filter((part) => part.agencies === undefined).length !== 1)
    throw new LifecycleError(
      'A split needs exactly one part without an agency list: it takes every agency not given to another part.',
    );
  const codes = parts.map((part) => part.unitCode);
  if (new Set(codes).size !== codes.length || codes.includes(from))
    throw new LifecycleError('The parts of a split must be distinct units other than the one split.');
  const claimed = parts.flatMap((part) => part.agencies ?? []);
  if (new Set(claimed).size !== claimed.length)
    throw new LifecycleError('An agency can go to only one part of a split.');
  const sameParts = JSON.stringify(source.successors) === JSON.stringify(parts);
  if (source.retiredOn === on && sameParts) return [];
  mustExistOn(source, addDays(on, -1), 'Split unit');
  const successors = parts.map((part) => must(units, part.unitCode));
  for (const successor of successors) mustExistOn(successor, on, 'Successor');
  return [
    {
      ...source,
      status: 'retired',
      retiredOn: on,
      successors: parts.map((part) => ({ ...part })),
      history: [...source.history, entry(at, 'split', `split into ${codes.join(', ')}`, on)],
    },
    ...successors.map((successor, index) => {
      const taken = parts[index]?.agencies;
      const agencies = source.agencies.filter((agency) =>
        taken === undefined ? !claimed.includes(agency.agencyCode) : taken.includes(agency.agencyCode),
      );
      const known = new Set(successor.agencies.map((agency) => agency.agencyCode));
      return {
        ...successor,
        agencies: [...successor.agencies, ...agencies.filter((agency) => !known.has(agency.agencyCode))],
        history: [...successor.history, entry(at, 'split-from', `takes over part of ${from}`, on)],
      };
    }),
  ];
}
