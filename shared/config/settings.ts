import { readFileSync } from 'node:fs';
import { type Settings, settingsSchema } from '../schemas/settings.ts';
import defaults from './defaults.json' with { type: 'json' };

export type { Settings } from '../schemas/settings.ts';

/** Thrown at cold start so a misconfigured function stops with a message naming the setting. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key so an override file only names what it changes; arrays and scalars replace. */
export function deepMerge(base: Json, override: Json): Json {
  if (!isRecord(base) || !isRecord(override)) return override;
  const merged: Record<string, Json> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = current === undefined ? value : deepMerge(current, value);
  }
  return merged;
}

export function parseSettings(raw: unknown, origin: string): Settings {
  const result = settingsSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ConfigurationError(`Invalid configuration in ${origin}: ${issues.join('; ')}`);
  }
  return result.data;
}

/** The shipped defaults, overlaid with the JSON file `EMC_CONFIG` names, if any. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const overridePath = env.EMC_CONFIG;
  if (!overridePath) return parseSettings(defaults, 'shared/config/defaults.json');
  let override: Json;
  try {
    override = JSON.parse(readFileSync(overridePath, 'utf8')) as Json;
  } catch (error) {
    throw new ConfigurationError(`EMC_CONFIG=${overridePath} could not be read as JSON`, { cause: error });
  }
  return parseSettings(deepMerge(defaults as Json, override), `EMC_CONFIG=${overridePath}`);
}

let cached: Settings | undefined;

/** Parsed once per process, at first use. */
export function settings(): Settings {
  cached ??= loadSettings();
  return cached;
}
