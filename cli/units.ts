import { existsOn } from '../shared/domain/registry/lifecycle.ts';
import type { Successor, Unit } from '../shared/schemas/registry.ts';

/** `H61=000.00.10.H01,000.00.11.H01` takes those agencies; a bare `H62` takes the rest. */
export function parsePart(text: string): Successor {
  const [unitCode = '', agencies] = text.split('=');
  return agencies === undefined
    ? { unitCode }
    : {
        unitCode,
        agencies: agencies
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      };
}

/** One line of `units list`: code, kind, state on that day, name. */
export function describe(unitRow: Unit, day: string): string {
  const line = (state: string) => `${unitRow.unitCode}\t${unitRow.kind}\t${state}\t${unitRow.name}`;
  if (existsOn(unitRow, day)) return line(unitRow.paused ? 'paused' : 'active');
  if (unitRow.createdOn !== undefined && day < unitRow.createdOn) return line(`from ${unitRow.createdOn}`);
  const successors = unitRow.successors.map((s) => s.unitCode).join(', ');
  return line(
    `retired${unitRow.retiredOn ? ` ${unitRow.retiredOn}` : ''}${successors ? ` → ${successors}` : ''}`,
  );
}
