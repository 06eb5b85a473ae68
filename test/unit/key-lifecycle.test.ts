import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.ts';
import { keyPrefix } from '../../shared/domain/auth/api-keys.ts';
import { bearer, ingestHarness, NOW, validEvent } from '../helpers/ingest-harness.ts';

const body = JSON.stringify({ events: [validEvent()] });

describe('key expiry, last use and retired unit codes', () => {
  it('keeps a rotated-out key working until it expires, then refuses it saying why', async () => {
    let now = NOW;
    const h = ingestHarness({ clock: () => now });
    const oldKey = h.keys.issue('H48');
    const record = h.keys.records.get(keyPrefix(oldKey) ?? '');
    if (!record) throw new Error('the harness kept no record of the key it issued');
    record.expiresAt = NOW + 60_000;
    expect((await h.call('events', { body, headers: bearer(oldKey) })).status).toBe(202);
    now = NOW + 60_000;
    const refused = await h.call('events', { body, headers: bearer(oldKey) });
    expect(refused.status).toBe(401);
    expect(refused.json()).toMatchObject({ detail: expect.stringContaining('expired') });
  });

  it('records last use at most once per interval per key', async () => {
    let now = NOW;
    const h = ingestHarness({ clock: () => now });
    const key = h.keys.issue('H48');
    for (const step of [0, 1_000, 299_000, 300_000, 301_000]) {
      now = NOW + step;
      expect((await h.call('events', { body, headers: bearer(key) })).status).toBe(202);
    }
    expect(h.keys.touches.map((t) => t.at - NOW)).toEqual([0, 300_000]);
  });

  it('accepts data under a retired code with the "remap" rule', async () => {
    const h = ingestHarness();
    const key = h.keys.issue('H48');
    for (const record of h.keys.records.values()) record.retired = { on: '2025-07-01', successors: ['H50'] };
    expect((await h.call('events', { body, headers: bearer(key) })).status).toBe(202);
  });

  it('refuses data under a retired code from its retirement day with the "reject" rule, naming the successor', async () => {
    const base = loadSettings({});
    const config = { ...base, lifecycle: { retiredUnitCodes: 'reject' as const } };
    const h = ingestHarness({ config });
    const key = h.keys.issue('H48');
    const retire = (on: string) => {
      for (const record of h.keys.records.values()) record.retired = { on, successors: ['H50'] };
    };
    retire('2099-01-01');
    expect((await h.call('events', { body, headers: bearer(key) })).status).toBe(202);
    retire('2025-07-01');
    const refused = await h.call('events', { body, headers: bearer(key) });
    expect(refused.status).toBe(410);
    expect(refused.json()).toMatchObject({ detail: expect.stringContaining('H50') });
    expect(h.queue.sent).toHaveLength(1);
  });
});
