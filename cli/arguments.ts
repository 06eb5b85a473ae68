import { CliError } from './context.ts';

/**
 * The time `emc evaluate --at` evaluates as of. A future time is refused: its figures would be published as
 * if the data to come had already arrived, and units would be judged silent for hours that have not passed.
 */
export function parseAsOf(text: string | undefined, now: number): number {
  if (text === undefined) return now;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new CliError(`--at ${text} is not an ISO-8601 time`);
  if (at > now)
    throw new CliError(
      `--at ${text} is in the future; an evaluation can only look back. Leave --at out to evaluate now.`,
    );
  return at;
}
/** `90s`, `30m`, `12h`, `7d`. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) throw new CliError(`${text} is not a duration such as 30m, 12h or 7d.`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
