import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../../../shared/config/settings.ts';
import { resolveTargets } from '../../../../shared/domain/evaluation/targets.ts';

const config = loadSettings({});
const custom: Settings = {
  ...config,
  targets: { default: { onlineRate: 0.5 }, byAgencyLevel: { undefined: { onlineRate: 0.1 } } },
};

describe('resolveTargets at the edges of its layers', () => {
  it('passes over a layer that names a figure without a value', () => {
    expect(
      resolveTargets(custom, { agency: { onlineRate: undefined }, unitDefault: { onlineRate: 0.4 } }),
    ).toEqual({
      onlineRate: { min: 0.4, max: null, source: 'unit_default' },
    });
  });

  it('reads no level’s target for a row without a level, even one keyed "undefined"', () => {
    expect(resolveTargets(custom, { unitByLevel: { undefined: { onlineRate: 0.2 } } })).toEqual({
      onlineRate: { min: 0.5, max: null, source: 'national_default' },
    });
  });

  it('keeps a range’s upper end, and a plain target has none', () => {
    expect(
      resolveTargets(custom, { agency: { onlineRate: { min: 0.45, max: 0.5 }, onTimeRate: 0.9 } }),
    ).toEqual({
      onlineRate: { min: 0.45, max: 0.5, source: 'agency' },
      onTimeRate: { min: 0.9, max: null, source: 'agency' },
    });
  });
});
