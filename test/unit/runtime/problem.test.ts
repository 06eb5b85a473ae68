import { describe, expect, it } from 'vitest';
import {
  ForbiddenError,
  PayloadTooLargeError,
  QueueUnavailableError,
  RateLimitedError,
  UnauthorizedError,
  UnitRetiredError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/errors.ts';
import { problemResponse, statusOf } from '../../../shared/runtime/problem.ts';

describe('the HTTP edge maps each error kind to one status and problem type', () => {
  it.each([
    [new ValidationError('x'), 400, 'validation'],
    [new UnauthorizedError('x'), 401, 'unauthorized'],
    [new ForbiddenError('x'), 403, 'forbidden'],
    [new UnitRetiredError('x'), 410, 'unit-retired'],
    [new PayloadTooLargeError('x'), 413, 'payload-too-large'],
    [new UnsupportedMediaTypeError('x'), 415, 'unsupported-media-type'],
    [new RateLimitedError('x', 0.2), 429, 'rate-limited'],
    [new QueueUnavailableError('x'), 503, 'unavailable'],
    [new Error('secret detail'), 500, 'internal'],
  ])('%s answers %i', (error, status, slug) => {
    const response = problemResponse(error, 'req-1');
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect([response.statusCode, statusOf(error), body.status, body.type, body.instance]).toEqual([
      status,
      status,
      status,
      `urn:emc:problem:${slug}`,
      'req-1',
    ]);
    expect(response.headers['content-type']).toBe('application/problem+json');
  });

  it('keeps an internal error’s message out of the answer', () => {
    const body = problemResponse(new Error('table emc-state is gone')).body;
    expect(body).not.toContain('emc-state');
  });

  it('asks for a bearer key on 401 and only there', () => {
    expect(problemResponse(new UnauthorizedError('x')).headers['www-authenticate']).toBe(
      'Bearer realm="emc"',
    );
    expect(problemResponse(new ForbiddenError('x')).headers['www-authenticate']).toBeUndefined();
  });

  it('says when to retry: a rate limit rounds up to at least one second, a full queue in five', () => {
    expect(problemResponse(new RateLimitedError('x', 0.2)).headers['retry-after']).toBe('1');
    expect(problemResponse(new RateLimitedError('x', 1.01)).headers['retry-after']).toBe('2');
    expect(problemResponse(new QueueUnavailableError('x')).headers['retry-after']).toBe('5');
    expect(problemResponse(new ValidationError('x')).headers['retry-after']).toBeUndefined();
  });

  it('lists the field errors a client can fix', () => {
    const error = new ValidationError('bad', {
      errors: [{ path: 'events[0].status', message: 'unknown', index: 0 }],
    });
    expect(JSON.parse(problemResponse(error).body).errors).toEqual([
      { path: 'events[0].status', message: 'unknown', index: 0 },
    ]);
  });
});
