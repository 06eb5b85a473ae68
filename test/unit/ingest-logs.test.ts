import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../shared/observability/index.ts';
import { bearer, ingestHarness, validEvent } from '../helpers/ingest-harness.ts';

describe('ingest logging', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('never writes any part of a key to the log, for accepted and refused requests alike', async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]): void => {
      lines.push(
        JSON.stringify(args, (_key, value) =>
          value instanceof Error ? { ...value, message: value.message } : value,
        ),
      );
    };
    for (const method of ['debug', 'info', 'warn', 'error', 'appendKeys'] as const) {
      vi.spyOn(logger, method).mockImplementation(capture);
    }
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const revoked = h.keys.issue('H48');
    const revokedRecord = h.keys.records.get(revoked.split('_')[1] ?? '');
    if (!revokedRecord) throw new Error('the harness kept no record of the key it issued');
    revokedRecord.status = 'revoked';
    const body = JSON.stringify({ events: [validEvent()] });
    await h.call('events', { body, headers: bearer(key) });
    await h.call('events', { body: '{"events":[]}', headers: bearer(key) });
    await h.call('events', { body, headers: bearer(revoked) });
    await h.call('legacy', {
      body: 'codeProfile=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      pathParameters: { siteKey: key },
    });
    const output = lines.join('');
    expect(output).toContain('request refused');
    for (const secret of [key, revoked]) {
      const [, prefix = '', tail = ''] = secret.split('_');
      expect(output).not.toContain(prefix);
      expect(output).not.toContain(tail.slice(0, 12));
    }
  });
});
