import type { z } from 'zod';
import type { FieldError } from '../errors.ts';

/** `events[3].payment.amountVnd` from a base path and a zod path. */
export function joinPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(body)';
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    return `must be ${issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}, not ${describeValue(issue.input)}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1)
    return 'must not be empty';
  return issue.message;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

/** Plain-words field errors, every one of them, for one zod failure. */
export function fieldErrors(error: z.ZodError, base = ''): FieldError[] {
  return error.issues.map((issue) => ({ path: joinPath(base, issue.path), message: describe(issue) }));
}
