import { z } from 'zod';
import type { Settings } from './settings.ts';

/** Compiled once per configuration: the patterns are configurable because real codes drift over time. */
export function identifierSchemas(patterns: Settings['identifiers']) {
  const unit = new RegExp(patterns.unitCode);
  const agency = new RegExp(patterns.agencyCode);
  const procedure = new RegExp(patterns.procedureCode);
  const dossier = new RegExp(patterns.dossierCode);
  const system = new RegExp(patterns.systemId);
  const unitSuffix = patterns.agencyCode.replace(/^\^|\$$/g, '');
  const procedureWithAgency = new RegExp(`^(.+)\\.(${unitSuffix})$`);
  const procedureCore = patterns.procedureCode.replace(/^\^|\$$/g, '');
  /** Both accepted forms in one pattern, so the contract shows integrators what passes. */
  const procedureEitherForm = new RegExp(`^(?:${procedureCore})(?:\\.(?:${unitSuffix}))?$`);

  return {
    unitCode: z
      .string()
      .regex(unit, 'must be a short unit code such as H49 or G12')
      .meta({
        description: 'Short code of a top-level unit (ministry, sector or province).',
        examples: ['H49'],
      }),
    agencyCode: z
      .string()
      .regex(agency, 'must be a full agency code such as 000.00.10.H48')
      .meta({
        description: 'Full code of an agency inside the unit; its last group is the unit code.',
        examples: ['000.00.10.H48'],
      }),
    procedureCode: z
      .string()
      .regex(procedureEitherForm, 'must be a procedure code such as 1.001234 (or 1.000494.000.00.00.H29)')
      .meta({
        description:
          'National procedure (TTHC) code. A portal-style code with the agency appended (1.000494.000.00.00.H29) is accepted and reduced to 1.000494.',
        examples: ['1.001234'],
      })
      .transform((code, ctx) => {
        if (procedure.test(code)) return code;
        const withAgency = procedureWithAgency.exec(code);
        if (withAgency?.[1] && procedure.test(withAgency[1])) return withAgency[1];
        ctx.addIssue({ code: 'custom', message: 'must be a procedure code such as 1.001234' });
        return z.NEVER;
      }),
    dossierCode: z
      .string()
      .regex(dossier, 'must be a dossier code such as 000.00.10.H48-220921-0099')
      .meta({
        description: 'The dossier (hồ sơ) code assigned at receipt.',
        examples: ['000.00.10.H48-220921-0099'],
      }),
    systemId: z
      .string()
      .regex(system, 'must be 1-64 letters, digits, dots, dashes or underscores')
      .meta({ description: 'Identifier of one of the unit’s registered systems.', examples: ['tthc'] }),
  };
}

/** The unit an agency belongs to: the last dot-separated group of its code. */
export function unitOfAgency(agencyCode: string): string {
  const dot = agencyCode.lastIndexOf('.');
  return dot === -1 ? agencyCode : agencyCode.slice(dot + 1);
}
