import type { Settings } from '../../config/settings.ts';
import { unitOfAgency } from '../../schemas/identifiers.ts';
import type { UnitProfile } from '../ports.ts';

/**
 * Something accepted that the evaluation will not credit as the sender probably expects. The data is kept
 * (202); the warning tells the integrator before the dashboard does.
 */
export interface Warning {
  path: string;
  message: string;
  index?: number;
  eventId?: string;
}

/** A heartbeat from a system the registry does not list keeps no registered system alive. */
export function heartbeatWarnings(
  systemId: string,
  unitCode: string,
  profile: UnitProfile | undefined,
): Warning[] {
  if (!profile || profile.systems.length === 0 || profile.systems.includes(systemId)) return [];
  return [
    {
      path: 'systemId',
      message: `${systemId} is not a registered system of unit ${unitCode} (registered: ${profile.systems.join(', ')}); its heartbeats keep none of them connected`,
    },
  ];
}

/**
 * The unit a dossier code names by its prefix: `000.00.53.H48-220921-0099` names H48 through its agency
 * code, `H48.123.45-260125-010099` names it first. Undefined when the prefix is neither form.
 */
export function unitNamedByDossierCode(code: string, patterns: Settings['identifiers']): string | undefined {
  const { agency, unit } = compiled(patterns);
  const prefix = code.split('-')[0] ?? '';
  if (agency.test(prefix)) return unitOfAgency(prefix);
  const first = prefix.split('.')[0] ?? '';
  return prefix.includes('.') && unit.test(first) ? first : undefined;
}

const patternCache = new WeakMap<Settings['identifiers'], { agency: RegExp; unit: RegExp }>();

/** Compiled once per configuration: this runs for every accepted event. */
function compiled(patterns: Settings['identifiers']): { agency: RegExp; unit: RegExp } {
  let found = patternCache.get(patterns);
  if (!found) {
    found = { agency: new RegExp(patterns.agencyCode), unit: new RegExp(patterns.unitCode) };
    patternCache.set(patterns, found);
  }
  return found;
}

export interface EventForWarnings {
  eventId: string;
  dossierCode: string;
  agencyCode?: string | undefined;
}

/** Warnings for one accepted event: an agency the registry does not list, a dossier code of another unit. */
export function eventWarnings(
  event: EventForWarnings,
  index: number,
  unitCode: string,
  profile: UnitProfile | undefined,
  patterns: Settings['identifiers'],
): Warning[] {
  const warnings: Warning[] = [];
  const base = { index, eventId: event.eventId };
  if (
    event.agencyCode !== undefined &&
    profile &&
    profile.agencies.length > 0 &&
    !profile.agencies.includes(event.agencyCode)
  ) {
    warnings.push({
      ...base,
      path: `events[${index}].agencyCode`,
      message: `${event.agencyCode} is not a registered agency of unit ${unitCode}; its dossiers count for the unit but in no agency's figures or targets`,
    });
  }
  const named = unitNamedByDossierCode(event.dossierCode, patterns);
  if (named !== undefined && named !== unitCode) {
    warnings.push({
      ...base,
      path: `events[${index}].dossierCode`,
      message: `${event.dossierCode} starts with the code of unit ${named}, not ${unitCode}: check that the sender uses this unit's key`,
    });
  }
  return warnings;
}
