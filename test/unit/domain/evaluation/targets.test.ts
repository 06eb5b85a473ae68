import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../../../shared/config/settings.ts';
import { kpis } from '../../../../shared/domain/evaluation/kpis.ts';
import { resolveTargets, targetResults } from '../../../../shared/domain/evaluation/targets.ts';
import { unitSchema } from '../../../../shared/schemas/registry.ts';
import type { Kpis } from '../../../../shared/schemas/snapshot.ts';

const config = loadSettings({});
const catalog = { procedures: 10, online: 8, fullOnline: 4 };
const online = (count: number, of = 100): Kpis =>
  kpis({ received: of, receivedOnline: count }, catalog, null);
/** The same figures for month, quarter and year to date. */
const allPeriods = (figures: Kpis) => ({ monthToDate: figures, quarterToDate: figures, yearToDate: figures });
const plain = (min: number) => ({ onlineRate: { min, max: null, source: 'national_default' as const } });

describe('targetResults: a target is met when the figure reaches it', () => {
  it('is met exactly at the target and missed one step below it', () => {
    // 50 of 100 online is exactly the 0.5 target; 49 of 100 is one dossier short.
    expect(targetResults(allPeriods(online(50)), plain(0.5)).onlineRate).toMatchObject({
      target: 0.5,
      targetMax: null,
      actual: 0.5,
      met: true,
    });
    expect(targetResults(allPeriods(online(49)), plain(0.5)).onlineRate).toMatchObject({
      actual: 0.49,
      met: false,
    });
    expect(targetResults(allPeriods(online(51)), plain(0.5)).onlineRate).toMatchObject({
      actual: 0.51,
      met: true,
    });
  });

  it('neither meets nor misses a figure that is not applicable', () => {
    const none = kpis({}, catalog, null);
    expect(targetResults(allPeriods(none), plain(0.5)).onlineRate).toMatchObject({ actual: null, met: null });
  });

  it('judges a zero target met by a zero figure', () => {
    expect(targetResults(allPeriods(online(0, 4)), plain(0)).onlineRate?.met).toBe(true);
  });

  it('judges month, quarter and year to date each on its own figure', () => {
    const result = targetResults(
      { monthToDate: online(60), quarterToDate: online(50), yearToDate: online(40) },
      plain(0.5),
    ).onlineRate;
    expect(result?.periods).toEqual({
      monthToDate: { actual: 0.6, met: true, withinRange: null },
      quarterToDate: { actual: 0.5, met: true, withinRange: null },
      yearToDate: { actual: 0.4, met: false, withinRange: null },
    });
    expect(result).toMatchObject({ actual: 0.4, met: false });
  });

  it('says whether a range is kept: met from its lower end, within it up to its upper end', () => {
    const range = { onlineRate: { min: 0.45, max: 0.5, source: 'unit_level' as const } };
    const judged = (count: number) =>
      targetResults(allPeriods(online(count)), range).onlineRate?.periods.yearToDate;
    expect(judged(44)).toEqual({ actual: 0.44, met: false, withinRange: false });
    expect(judged(45)).toEqual({ actual: 0.45, met: true, withinRange: true });
    expect(judged(50)).toEqual({ actual: 0.5, met: true, withinRange: true });
    expect(judged(51)).toEqual({ actual: 0.51, met: true, withinRange: false });
  });

  it('reports only the figures that have a target', () => {
    expect(targetResults(allPeriods(online(1, 4)), {})).toEqual({});
  });
});

describe('resolveTargets: agency, unit for the level, national for the level, unit default, national default', () => {
  const custom: Settings = {
    ...config,
    targets: {
      default: {
        onlineRate: 0.5,
        onTimeRate: 0.95,
        digitizedRate: 0.8,
        fullOnlineRate: 0.4,
        onlinePaymentRate: 0.3,
      },
      byAgencyLevel: { commune: { onlineRate: 0.2, onTimeRate: 0.9, fullOnlineRate: 0.1 } },
    },
  };
  const scope = {
    agency: { onlineRate: 0.7 },
    level: 'commune',
    unitByLevel: { commune: { onlineRate: 0.25, onTimeRate: 0.92 } },
    unitDefault: { onlineRate: 0.45, onTimeRate: 0.97, fullOnlineRate: 0.35, digitizedRate: 0.85 },
  };
  const sources = (resolved: ReturnType<typeof resolveTargets>) =>
    Object.fromEntries(Object.entries(resolved).map(([name, t]) => [name, [t.min, t.source]]));

  it('takes each figure from the first layer that sets it', () => {
    expect(sources(resolveTargets(custom, scope))).toEqual({
      onlineRate: [0.7, 'agency'],
      onTimeRate: [0.92, 'unit_level'],
      fullOnlineRate: [0.1, 'national_level'],
      digitizedRate: [0.85, 'unit_default'],
      onlinePaymentRate: [0.3, 'national_default'],
    });
  });

  it('gives a commune its province’s commune target, not the province’s own', () => {
    const { agency: _agency, ...noAgency } = scope;
    expect(resolveTargets(custom, noAgency).onlineRate).toEqual({
      min: 0.25,
      max: null,
      source: 'unit_level',
    });
  });

  it('falls to the national target for the level when the unit sets none for it', () => {
    expect(
      resolveTargets(custom, { level: 'commune', unitDefault: { onlineRate: 0.45 } }).onlineRate,
    ).toEqual({
      min: 0.2,
      max: null,
      source: 'national_level',
    });
  });

  it('uses the unit default for a level nobody set, and the national default last', () => {
    expect(
      resolveTargets(custom, { level: 'department', unitDefault: { onlineRate: 0.45 } }).onlineRate?.source,
    ).toBe('unit_default');
    expect(resolveTargets(custom, { level: 'department' }).onlineRate?.source).toBe('national_default');
    expect(resolveTargets(custom).onlineRate).toEqual({ min: 0.5, max: null, source: 'national_default' });
  });
});

describe('Khánh Hòa 2022: departments 45–50%, districts 35–40%, communes 25–30%', () => {
  const unit = unitSchema.parse({
    unitCode: 'H56',
    name: 'Khánh Hòa',
    kind: 'province',
    targets: { onlineRate: { min: 0.45, max: 0.5 } },
    targetsByLevel: {
      department: { onlineRate: { min: 0.45, max: 0.5 } },
      district: { onlineRate: { min: 0.35, max: 0.4 } },
      commune: { onlineRate: { min: 0.25, max: 0.3 } },
    },
    agencies: [
      { agencyCode: '000.00.10.H56', name: 'Sở Tư pháp', level: 'department' },
      { agencyCode: '000.20.30.H56', name: 'UBND huyện Cam Lâm', level: 'district' },
      { agencyCode: '000.21.30.H56', name: 'UBND xã Cam Hải Tây', level: 'commune' },
    ],
  });

  it('is expressible in the registry, and each level gets its own range', () => {
    const ranges = unit.agencies.map((agency) => {
      const t = resolveTargets(config, {
        agency: agency.targets,
        level: agency.level,
        unitByLevel: unit.targetsByLevel,
        unitDefault: unit.targets,
      }).onlineRate;
      return [agency.level, t?.min, t?.max, t?.source];
    });
    expect(ranges).toEqual([
      ['department', 0.45, 0.5, 'unit_level'],
      ['district', 0.35, 0.4, 'unit_level'],
      ['commune', 0.25, 0.3, 'unit_level'],
    ]);
  });

  it('meets a commune at 25% that a province-wide 45% would have failed', () => {
    const commune = resolveTargets(config, {
      level: 'commune',
      unitByLevel: unit.targetsByLevel,
      unitDefault: unit.targets,
    });
    expect(targetResults(allPeriods(online(25)), commune).onlineRate?.met).toBe(true);
    expect(targetResults(allPeriods(online(24)), commune).onlineRate?.met).toBe(false);
  });

  it('refuses a range whose lower end is above its upper end', () => {
    const bad = unitSchema.safeParse({
      unitCode: 'H56',
      name: 'x',
      kind: 'province',
      targets: { onlineRate: { min: 0.5, max: 0.4 } },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('min must not be above max');
  });
});
