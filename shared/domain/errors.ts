/** One field-level problem, phrased for the integrator who has to fix the request. */
export interface FieldError {
  path: string;
  message: string;
  index?: number;
  eventId?: string;
}

/**
 * What went wrong, in the domain's words. The HTTP edge (`shared/runtime/problem.ts`) is the one place that
 * turns a kind into a status code, a problem type and headers; the domain knows no protocol.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'retired'
  | 'too-large'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'unavailable';

/** Base of every error a caller can act on: its `kind` says what, its message says how to fix it. */
export abstract class ClientError extends Error {
  abstract readonly kind: ErrorKind;
  abstract readonly title: string;
  readonly errors: FieldError[] | undefined;
  /** When the caller may try again, for the kinds that are temporary. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    options?: { cause?: unknown; errors?: FieldError[]; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.errors = options?.errors;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export class ValidationError extends ClientError {
  override readonly name = 'ValidationError';
  readonly kind = 'invalid';
  readonly title = 'The request is not valid';
}

export class UnauthorizedError extends ClientError {
  override readonly name = 'UnauthorizedError';
  readonly kind = 'unauthenticated';
  readonly title = 'Missing or invalid API key';
}

export class ForbiddenError extends ClientError {
  override readonly name = 'ForbiddenError';
  readonly kind = 'forbidden';
  readonly title = 'The key may not write this data';
}

/** The unit code was retired (merged or split) and the retired-code rule is "reject". */
export class UnitRetiredError extends ClientError {
  override readonly name = 'UnitRetiredError';
  readonly kind = 'retired';
  readonly title = 'The unit code is retired';
}

export class PayloadTooLargeError extends ClientError {
  override readonly name = 'PayloadTooLargeError';
  readonly kind = 'too-large';
  readonly title = 'The body is too large';
}

export class UnsupportedMediaTypeError extends ClientError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly kind = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

export class RateLimitedError extends ClientError {
  override readonly name = 'RateLimitedError';
  readonly kind = 'rate-limited';
  readonly title = 'Too many requests';
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}

/** The queue could not take every accepted event: the client retries, and event ids keep that safe. */
export class QueueUnavailableError extends ClientError {
  override readonly name = 'QueueUnavailableError';
  readonly kind = 'unavailable';
  readonly title = 'The service cannot queue events right now';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, retryAfterSeconds: 5 });
  }
}
