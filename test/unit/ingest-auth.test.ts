import { describe, expect, it } from 'vitest';
import { bearer, ingestHarness, validEvent } from '../helpers/ingest-harness.ts';

const body = JSON.stringify({ events: [validEvent()] });

describe('ingest authentication and authorisation', () => {
  it('refuses a request with no key with 401 and a Bearer challenge', async () => {
    const h = ingestHarness();
    const response = await h.call('events', { body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(h.queue.sent).toHaveLength(0);
  });

  it('refuses a malformed key with 401', async () => {
    const h = ingestHarness();
    const response = await h.call('events', { body, headers: bearer('not-a-key') });
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('malformed') });
  });

  it('refuses a well-formed key that was never issued with 401', async () => {
    const h = ingestHarness();
    const forged = `emc_${'A'.repeat(12)}_${'b'.repeat(40)}`;
    expect((await h.call('events', { body, headers: bearer(forged) })).status).toBe(401);
  });

  it('refuses a key whose secret part is wrong, even with a real prefix', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const tampered = `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
    expect((await h.call('events', { body, headers: bearer(tampered) })).status).toBe(401);
  });

  it('refuses a revoked key with 401', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    for (const record of h.keys.records.values()) record.status = 'revoked';
    const response = await h.call('events', { body, headers: bearer(key) });
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('revoked') });
  });

  it('accepts both keys of a unit during a rotation, and only the new one after the old is revoked', async () => {
    const h = ingestHarness();
    const oldKey = h.keys.issue('H48');
    const newKey = h.keys.issue('H48');
    expect((await h.call('events', { body, headers: bearer(oldKey) })).status).toBe(202);
    expect((await h.call('events', { body, headers: bearer(newKey) })).status).toBe(202);
    const oldPrefix = oldKey.split('_')[1] ?? '';
    const oldRecord = h.keys.records.get(oldPrefix);
    if (!oldRecord) throw new Error('old key record missing');
    oldRecord.status = 'revoked';
    expect((await h.call('events', { body, headers: bearer(oldKey) })).status).toBe(401);
    expect((await h.call('events', { body, headers: bearer(newKey) })).status).toBe(202);
  });

  it('refuses with 403 an event whose agency belongs to another unit', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H49');
    const response = await h.call('events', { body, headers: bearer(key) });
    expect(response.status).toBe(403);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('belongs to unit H48') });
    expect(h.queue.sent).toHaveLength(0);
  });

  it('refuses with 403 a body whose unitCode is not the key’s unit', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const other = JSON.stringify({ unitCode: 'G12', systemId: 'core', sentAt: '2026-11-23T10:29:00+07:00' });
    expect((await h.call('heartbeat', { body: other, headers: bearer(key) })).status).toBe(403);
  });

  it('writes the key’s unit into queued data, never a unit taken from the body', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    const { agencyCode: _dropped, ...withoutAgency } = validEvent();
    await h.call('events', { body: JSON.stringify({ events: [withoutAgency] }), headers: bearer(key) });
    expect(h.queue.messages('dossier-events')[0]).toMatchObject({
      unitCode: 'H48',
      events: [{ agencyCode: 'H48' }],
    });
  });

  it('answers 429 with Retry-After once a unit exceeds its rate', async () => {
    const h = ingestHarness({ rate: [1, 2] });
    const key = h.keys.issue('H48');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await h.call('events', { body, headers: bearer(key) })).status);
    expect(statuses).toEqual([202, 202, 429]);
    const limited = await h.call('events', { body, headers: bearer(key) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
