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

const ABSENT = Symbol('absent');

/** The value a zod path points at inside the parsed input, or ABSENT when nothing is there. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return ABSENT;
    if (!Object.hasOwn(current, part)) return ABSENT;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current === undefined ? ABSENT : current;
}

/** An offset written `+0700` is the commonest near miss of an ISO-8601 time; it needs a colon. */
const OFFSET_WITHOUT_COLON = /[+-](\d{2})(\d{2})$/;
const NO_OFFSET = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function describe(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type') {
    if (value === ABSENT) return 'is required';
    const expected = issue.expected === 'array' ? 'an array' : `a ${issue.expected}`;
    const wanted = issue.message.startsWith('must ') ? issue.message : `must be ${expected}`;
    return `${wanted}, not ${describeValue(value)}`;
  }
  if (issue.code === 'invalid_format' && issue.format === 'datetime' && typeof value === 'string') {
    const offset = OFFSET_WITHOUT_COLON.exec(value);
    if (offset) {
      const sign = value.charAt(value.length - 5);
      return `must write its offset with a colon: ${sign}${offset[1]}:${offset[2]}, not ${sign}${offset[1]}${offset[2]}`;
    }
    if (NO_OFFSET.test(value)) return 'must end with an offset, such as +07:00 or Z';
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

/**
 * Plain-words field errors, every one of them, for one zod failure. `input` is what was parsed: zod does not
 * keep it in its issues, and without it a value of the wrong type would read as a missing one.
 */
export function fieldErrors(error: z.ZodError, base = '', input?: unknown): FieldError[] {
  return error.issues.map((issue) => {
    const value = input === undefined ? issue.input : valueAt(input, issue.path);
    return {
      path: joinPath(base, issue.path),
      message: describe(issue, value === undefined ? ABSENT : value),
    };
  });
}
