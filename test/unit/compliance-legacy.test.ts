import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.ts';
import {
  type ConnectionInput,
  criteriaFor,
  evaluateConnection,
} from '../../shared/domain/evaluation/compliance.ts';
import { allowedSilenceHours, legacyInput } from '../../shared/domain/evaluation/legacy-compliance.ts';

const config = loadSettings({});
const criteria = criteriaFor(config, 'H70');
const HOUR = 3_600_000;
const AT = Date.parse('2026-11-23T03:30:00Z');

/** 90 days of activity, oldest first, ending today: active on every other day of the last 28. */
const everyOtherDay = Array.from({ length: 90 }, (_, i) => i >= 62 && i % 2 === 1);

function legacyUnit(overrides: Partial<ConnectionInput> = {}): ConnectionInput {
  return {
    at: AT,
    systems: ['tthc', 'portal'],
    heartbeats: new Map(),
    lastDossierEventAt: AT - HOUR,
    catalog: undefined,
    reconciliation: [],
    previousStatus: undefined,
    legacy: { sender: 'opencps', activity: everyOtherDay },
    ...overrides,
  };
}

describe('compliance of a unit whose only integration is a legacy sender', () => {
  it('is connected with a working feed alone, and says which criteria were applied', () => {
    const result = evaluateConnection(legacyUnit(), criteria);
    expect(result).toEqual({
      status: 'connected',
      reasons: [],
      criteria: {
        sender: 'opencps',
        applied: ['feed_rhythm', 'observed_catalog', 'reconciliation_optional'],
      },
    });
  });

  it('would be partial on the API criteria: no heartbeat or catalogue (daily totals are optional)', () => {
    const { legacy: _legacy, ...api } = legacyUnit();
    const result = evaluateConnection(api, criteria);
    expect(result.status).toBe('partial');
    expect(result.reasons.map((r) => r.code)).toEqual([
      'heartbeat_missing:tthc',
      'heartbeat_missing:portal',
      'catalog_missing',
    ]);
    expect(result.criteria).toEqual({
      sender: null,
      applied: ['heartbeat', 'dossier_feed', 'catalog', 'reconciliation'],
    });
  });

  it('allows three times its own mean gap: 14 active days of 28 give 144 hours of silence, not a minute more', () => {
    expect(allowedSilenceHours(14, criteria.legacy.feedRhythm)).toBe(144);
    const quiet = (ms: number) => evaluateConnection(legacyUnit({ lastDossierEventAt: AT - ms }), criteria);
    expect(quiet(144 * HOUR).status).toBe('connected');
    const late = quiet(144 * HOUR + 1);
    expect(late.status).toBe('partial');
    expect(late.reasons.map((r) => r.code)).toEqual(['feed_rhythm_silent']);
  });

  it('calls a silent feed interrupted when the unit was connected', () => {
    const result = evaluateConnection(
      legacyUnit({ lastDossierEventAt: AT - 145 * HOUR, previousStatus: 'connected' }),
      criteria,
    );
    expect(result.status).toBe('interrupted');
    expect(result.reasons.map((r) => r.code)).toEqual(['connection_interrupted', 'feed_rhythm_silent']);
  });

  it('keeps the allowance within its bounds, and counts only the lookback days', () => {
    const rhythm = criteria.legacy.feedRhythm;
    expect(allowedSilenceHours(28, rhythm)).toBe(72);
    expect(allowedSilenceHours(28, { ...rhythm, minSilenceHours: 100 })).toBe(100);
    expect(allowedSilenceHours(1, rhythm)).toBe(336);
    expect(allowedSilenceHours(0, rhythm)).toBe(336);
    // Active only before the 28-day lookback: judged as a unit with no rhythm, so the maximum applies.
    const old = Array.from({ length: 90 }, (_, i) => i < 62);
    const quiet = (hours: number) =>
      evaluateConnection(
        legacyUnit({ lastDossierEventAt: AT - hours * HOUR, legacy: { sender: 'opencps', activity: old } }),
        criteria,
      ).status;
    expect(quiet(336)).toBe('connected');
    expect(quiet(337)).toBe('partial');
  });

  it('reads its rhythm from the days with dossiers received or resolved', () => {
    const days = ['2026-11-21', '2026-11-22', '2026-11-23'];
    const unitDays = new Map([
      ['2026-11-21', { received: 3 }],
      ['2026-11-23', { resolved: 1 }],
    ]);
    expect(legacyInput('dichvucong-dotnet', unitDays, days)).toEqual({
      legacy: { sender: 'dichvucong-dotnet', activity: [true, false, true] },
    });
    expect(legacyInput(undefined, unitDays, days)).toEqual({});
  });

  it('holds a synced catalogue to the age rule, and checks daily totals that are sent', () => {
    const stale = evaluateConnection(
      legacyUnit({ catalog: { syncedAt: AT - 31 * 24 * HOUR, procedures: 40 } }),
      criteria,
    );
    expect(stale.criteria.applied).toEqual(['feed_rhythm', 'catalog', 'reconciliation_optional']);
    expect(stale.reasons.map((r) => r.code)).toEqual(['catalog_stale']);
    const fresh = evaluateConnection(
      legacyUnit({ catalog: { syncedAt: AT - 29 * 24 * HOUR, procedures: 40 } }),
      criteria,
    );
    expect(fresh.status).toBe('connected');
    const mismatch = evaluateConnection(
      legacyUnit({
        reconciliation: [{ date: '2026-11-22', figures: { received: { reported: 100, counted: 80 } } }],
      }),
      criteria,
    );
    expect(mismatch.reasons.map((r) => r.code)).toEqual(['reconciliation_mismatch']);
  });

  it('requires daily totals when configured to, per unit', () => {
    const strict = loadSettings({});
    strict.compliance.unitOverrides.H70 = {
      legacy: { reconciliation: 'required', feedRhythm: { multiplier: 1 } },
    };
    const own = criteriaFor(strict, 'H70');
    expect(own.legacy.feedRhythm).toMatchObject({ multiplier: 1, lookbackDays: 28 });
    const result = evaluateConnection(legacyUnit(), own);
    expect(result.reasons.map((r) => r.code)).toEqual(['reconciliation_missing']);
    expect(result.criteria.applied).toContain('reconciliation');
  });

  it('is never connected until its feed has sent something', () => {
    const result = evaluateConnection(legacyUnit({ lastDossierEventAt: undefined }), criteria);
    expect(result.status).toBe('never_connected');
  });
});
