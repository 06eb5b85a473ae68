import type { z } from 'zod';
import { ConfigurationError } from './settings.ts';

/** Parses a function's environment once; a missing or bad variable stops the function and is named. */
export function readEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const names = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigurationError(`Invalid environment: ${names}`);
  }
  return result.data;
}
