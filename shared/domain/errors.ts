/** One field-level problem, phrased for the integrator who has to fix the request. */
export interface FieldError {
  path: string;
  message: string;
  index?: number;
  eventId?: string;
}

/** Base of every error that maps to an HTTP answer; `status` is the only thing the HTTP layer reads. */
export abstract class ClientError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> = {};

  constructor(message: string, options?: { cause?: unknown; errors?: FieldError[] }) {
    super(message, options);
    this.errors = options?.errors;
  }
}

export class ValidationError extends ClientError {
  override readonly name = 'ValidationError';
  readonly status = 400;
  readonly title = 'The request is not valid';
}

export class UnauthorizedError extends ClientError {
  override readonly name = 'UnauthorizedError';
  readonly status = 401;
  readonly title = 'Missing or invalid API key';
  override readonly headers = { 'www-authenticate': 'Bearer realm="emc"' };
}

export class ForbiddenError extends ClientError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  readonly title = 'The key may not write this data';
}

export class NotFoundError extends ClientError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly title = 'No such resource';
}

export class MethodNotAllowedError extends ClientError {
  override readonly name = 'MethodNotAllowedError';
  readonly status = 405;
  readonly title = 'Method not allowed';
}

/** The unit code was retired (merged or split) and the retired-code rule is "reject". */
export class UnitRetiredError extends ClientError {
  override readonly name = 'UnitRetiredError';
  readonly status = 410;
  readonly title = 'The unit code is retired';
}

export class PayloadTooLargeError extends ClientError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly title = 'The body is too large';
}

export class UnsupportedMediaTypeError extends ClientError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly status = 415;
  readonly title = 'Unsupported media type';
}

export class RateLimitedError extends ClientError {
  override readonly name = 'RateLimitedError';
  readonly status = 429;
  readonly title = 'Too many requests';
  override readonly headers: Record<string, string>;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.headers = { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}

/** The queue could not take every accepted event: the client retries, and event ids keep that safe. */
export class QueueUnavailableError extends ClientError {
  override readonly name = 'QueueUnavailableError';
  readonly status = 503;
  readonly title = 'The service cannot queue events right now';
  override readonly headers = { 'retry-after': '5' };
}
