import { userInfo } from 'node:os';
import { DynamoDossierStore } from '../shared/adapters/dynamo-dossier-store.ts';
import { restoreDossiers, type VoidOutcome, voidDossiers } from '../shared/app/dossiers.ts';
import { settings } from '../shared/config/settings.ts';
import { countOptions } from '../shared/domain/worker/options.ts';
import { CliError, type Target } from './context.ts';

export interface DossierFlags {
  reason?: string;
  json?: boolean;
  'dry-run'?: boolean;
}

/** Who runs the command, for the archive: EMC_OPERATOR, else the login name. */
export function operatorName(): string {
  const named = process.env.EMC_OPERATOR?.trim();
  if (named) return named;
  try {
    return userInfo().username;
  } catch {
    return 'unknown operator';
  }
}

/** `emc dossiers void|restore <unitCode> <dossierCode…> --reason R [--dry-run] [--json]`. */
export async function dossiersCommand(
  target: Target,
  sub: string,
  args: readonly string[],
  flags: DossierFlags,
): Promise<void> {
  if (sub !== 'void' && sub !== 'restore')
    throw new CliError(`Unknown command: dossiers ${sub}. Try: emc dossiers --help`);
  const [unitCode, ...dossierCodes] = args;
  if (!unitCode || dossierCodes.length === 0)
    throw new CliError(
      `dossiers ${sub} needs a unit code and dossier codes: emc dossiers ${sub} H48 <dossierCode…> --reason R`,
    );
  if (!flags.reason?.trim()) throw new CliError(`dossiers ${sub} needs --reason: why the data goes`);
  const options = countOptions(settings());
  const deps = {
    store: new DynamoDossierStore(target.tables.state, undefined, undefined, undefined, target.clock),
    rules: options.rules,
    dayOf: options.dayOf,
    maxFootprint: options.maxFootprint,
  };
  const request = {
    unitCode,
    dossierCodes,
    reason: flags.reason,
    by: operatorName(),
    now: target.clock(),
    dryRun: flags['dry-run'] ?? false,
  };
  const outcome = sub === 'void' ? await voidDossiers(deps, request) : await restoreDossiers(deps, request);
  if (flags.json) console.log(JSON.stringify(outcome, null, 2));
  else console.log(presentVoiding(outcome));
}

/** The plain-text report: what changed (or would), what was already so, and every counter that moves. */
export function presentVoiding(outcome: VoidOutcome): string {
  const done = outcome.action === 'void' ? 'voided' : 'restored';
  const lines = [
    `${outcome.dryRun ? 'dry run, nothing written: would have ' : ''}${done} ${outcome.changed.length} dossier(s) of unit ${outcome.unitCode}${outcome.changed.length > 0 ? `: ${outcome.changed.join(' ')}` : ''}`,
  ];
  if (outcome.unchanged.length > 0) lines.push(`already ${done}, left alone: ${outcome.unchanged.join(' ')}`);
  for (const change of outcome.counterChanges)
    lines.push(
      `  ${change.period}  ${(change.agencyCode ?? change.procedureCode ?? 'unit').padEnd(16)} ${change.counter.padEnd(22)} ${change.by > 0 ? '+' : ''}${change.by}`,
    );
  return lines.join('\n');
}
