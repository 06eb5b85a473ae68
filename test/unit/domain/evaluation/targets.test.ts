import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../../../shared/config/settings.ts';
import { kpis, targetResults, targetsFor } from '../../../../shared/domain/evaluation/kpis.ts';

const config = loadSettings({});
const catalog = { procedures: 10, online: 8, fullOnline: 4 };

describe('targetResults: a target is met when the year-to-date figure is at least the target', () => {
  it('is met exactly at the target and missed one step below it', () => {
    // 50 of 100 online is exactly the 0.5 target; 49 of 100 is one dossier short.
    const at = kpis({ received: 100, receivedOnline: 50 }, catalog, null);
    const below = kpis({ received: 100, receivedOnline: 49 }, catalog, null);
    const above = kpis({ received: 100, receivedOnline: 51 }, catalog, null);
    expect(targetResults(at, { onlineRate: 0.5 })).toEqual({
      onlineRate: { target: 0.5, actual: 0.5, met: true },
    });
    expect(targetResults(below, { onlineRate: 0.5 })).toEqual({
      onlineRate: { target: 0.5, actual: 0.49, met: false },
    });
    expect(targetResults(above, { onlineRate: 0.5 })).toEqual({
      onlineRate: { target: 0.5, actual: 0.51, met: true },
    });
  });

  it('neither meets nor misses a figure that is not applicable', () => {
    const none = kpis({}, catalog, null);
    expect(targetResults(none, { onTimeRate: 0.95, onlineServicesWithDossiersRate: 0.65 })).toEqual({
      onTimeRate: { target: 0.95, actual: null, met: null },
      onlineServicesWithDossiersRate: { target: 0.65, actual: null, met: null },
    });
  });

  it('judges a zero target met by a zero figure', () => {
    const zero = kpis({ received: 4, receivedOnline: 0 }, catalog, null);
    expect(targetResults(zero, { onlineRate: 0 })).toEqual({
      onlineRate: { target: 0, actual: 0, met: true },
    });
  });

  it('reports only the figures that have a target', () => {
    const figures = kpis({ received: 4, receivedOnline: 1 }, catalog, null);
    expect(targetResults(figures, {})).toEqual({});
    expect(targetResults(figures, { onlineRate: 0.5, fullOnlineRate: undefined })).toEqual({
      onlineRate: { target: 0.5, actual: 0.25, met: false },
    });
  });

  it('judges every default target against its own figure', () => {
    const figures = kpis(
      {
        received: 10,
        receivedOnline: 5,
        fullOnlineEligible: 4,
        fullOnline: 1,
        resolved: 20,
        resolvedWithDueDate: 20,
        resolvedOnTime: 19,
        feeRequired: 4,
        paidOnline: 3,
        digitized: 15,
      },
      catalog,
      { withDossiers: 6, outsideCatalog: 0 },
    );
    expect(targetResults(figures, config.targets.default)).toEqual({
      onlineRate: { target: 0.5, actual: 0.5, met: true },
      fullOnlineRate: { target: 0.5, actual: 0.25, met: false },
      onTimeRate: { target: 0.95, actual: 0.95, met: true },
      onlineServicesWithDossiersRate: { target: 0.65, actual: 0.75, met: true },
      onlinePaymentRate: { target: 0.5, actual: 0.75, met: true },
      digitizedRate: { target: 0.8, actual: 0.75, met: false },
    });
  });
});

describe('targetsFor: the unit overrides the agency level, which overrides the defaults', () => {
  const custom: Settings = {
    ...config,
    targets: {
      default: { onlineRate: 0.5, onTimeRate: 0.95, digitizedRate: 0.8 },
      byAgencyLevel: { commune: { onlineRate: 0.25, onTimeRate: 0.9 } },
    },
  };

  it('uses the defaults for a unit without targets of its own', () => {
    expect(targetsFor(custom, undefined)).toEqual({ onlineRate: 0.5, onTimeRate: 0.95, digitizedRate: 0.8 });
  });

  it("overlays an agency level's targets, and a level without any keeps the defaults", () => {
    expect(targetsFor(custom, undefined, 'commune')).toEqual({
      onlineRate: 0.25,
      onTimeRate: 0.9,
      digitizedRate: 0.8,
    });
    expect(targetsFor(custom, undefined, 'department')).toEqual(targetsFor(custom, undefined));
  });

  it("puts the unit's own targets above both", () => {
    expect(targetsFor(custom, { onlineRate: 0.6 }, 'commune')).toEqual({
      onlineRate: 0.6,
      onTimeRate: 0.9,
      digitizedRate: 0.8,
    });
    expect(targetsFor(custom, { onTimeRate: 0.99 })).toEqual({
      onlineRate: 0.5,
      onTimeRate: 0.99,
      digitizedRate: 0.8,
    });
  });
});
