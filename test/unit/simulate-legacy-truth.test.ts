import { describe, expect, it } from 'vitest';
import { addInto, type CounterValues } from '../../shared/domain/dossier/counters.ts';
import { contributions, type DossierState, merge } from '../../shared/domain/dossier/state.ts';
import { kpis } from '../../shared/domain/evaluation/kpis.ts';
import type { CatalogProcedure } from '../../shared/domain/ports.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { type QueuedEvent, queuedEventSchema } from '../../shared/schemas/queue.ts';
import type { Kpis } from '../../shared/schemas/snapshot.ts';
import { demoRegistry, LEGACY_ONLY_UNITS } from '../../simulator/registry.ts';
import { planSimulation, SIMULATED_CATALOG } from '../../simulator/simulate.ts';
import { legacyDerived } from '../../simulator/truth.ts';
import { ingestHarness, NOW } from '../helpers/ingest-harness.ts';

const FIGURES = [
  'dossiersReceived',
  'dossiersReceivedOnline',
  'dossiersResolved',
  'fullOnlineEligible',
  'fullOnlineDossiers',
  'dossiersWithFee',
  'onlinePayments',
] as const;

const plans = new Map<boolean, ReturnType<typeof planSimulation>>();
/** The default scenario's registry and seed, planned once for each catalogue state (planning is not quick). */
const plan = (legacyCatalogued: boolean): ReturnType<typeof planSimulation> => {
  const planned =
    plans.get(legacyCatalogued) ??
    planSimulation({
      units: demoRegistry(),
      seed: 2024,
      dossiers: 6000,
      days: 14,
      now: NOW,
      legacyCatalogued,
    });
  plans.set(legacyCatalogued, planned);
  return planned;
};

/** One legacy-only unit's requests, as the simulator plans them, through ingest and the counters' fold. */
async function published(
  unitCode: string,
  requests: ReturnType<typeof plan>['requests'],
  catalogued: boolean,
): Promise<Kpis> {
  const catalogue = new Map<string, CatalogProcedure>(
    SIMULATED_CATALOG.map((p) => [p.procedureCode, { onlineLevel: p.onlineLevel, feeBearing: p.feeBearing }]),
  );
  const h = ingestHarness(catalogued ? { catalogue: { procedures: async () => catalogue } } : {});
  const key = h.keys.issue(unitCode, LEGACY_ONLY_UNITS[unitCode]);
  const own = requests.filter((r) => r.unitCode === unitCode && r.path.endsWith('/TrackingMCDT'));
  expect(own.length).toBeGreaterThan(10);
  for (const request of own) {
    const response = await h.call('legacy', {
      body: request.body,
      headers: { 'content-type': request.contentType },
      pathParameters: { siteKey: key },
    });
    expect(response.status, response.text).toBe(204);
  }
  const byDossier = new Map<string, QueuedEvent[]>();
  for (const message of h.queue.messages('dossier-events') as { events: unknown[] }[])
    for (const event of message.events.map((e) => queuedEventSchema.parse(e)))
      byDossier.set(event.dossierCode, [...(byDossier.get(event.dossierCode) ?? []), event]);
  const totals: CounterValues = {};
  for (const events of byDossier.values()) {
    const state = events.reduce<DossierState>((s, e) => merge(s, e, h.config.dossier), {});
    for (const cell of contributions(state, h.config.dossier, (ms) => dayOf(ms, 420)).cells)
      addInto(totals, cell.values);
  }
  return kpis(totals, { procedures: 0, online: 0, fullOnline: 0 }, null);
}

describe('the simulator’s truth for its legacy-only units, from what each vendor sends and the catalogue', () => {
  it('states the level and fee from the vendor’s request alone, and from the catalogue once it is synced', () => {
    const dossier = { onlineLevel: 'full', fee: true, paid: undefined } as const;
    expect(legacyDerived('opencps', dossier, false)).toEqual({});
    expect(legacyDerived('opencps', { ...dossier, paid: 'online' }, true)).toEqual({ onlineLevel: 'full' });
    expect(legacyDerived('dichvucong-dotnet', dossier, false)).toEqual({});
    expect(legacyDerived('dichvucong-dotnet', dossier, true)).toEqual({
      onlineLevel: 'full',
      payment: { required: true, online: false },
    });
    expect(legacyDerived('dichvucong-dotnet', { ...dossier, fee: false }, true)).toEqual({
      onlineLevel: 'full',
      payment: { required: false, online: false },
    });
    expect(legacyDerived('dichvucong-dotnet', { ...dossier, paid: 'cash' }, false)).toEqual({
      payment: { required: true, online: false },
    });
    expect(legacyDerived('dichvucong-dotnet', { ...dossier, paid: 'online' }, true)).toEqual({
      onlineLevel: 'full',
      payment: { required: true, online: true },
    });
  });

  it('with the catalogue, levels and the .NET system’s unpaid fees are known; without it, neither', () => {
    const { truth } = plan(true);
    const unitsOn = (sender: string) =>
      Object.entries(LEGACY_ONLY_UNITS)
        .filter(([, s]) => s === sender)
        .map(([code]) => code);
    expect([unitsOn('opencps').length, unitsOn('dichvucong-dotnet').length]).toEqual([2, 2]);
    for (const code of Object.keys(LEGACY_ONLY_UNITS)) {
      const ytd = truth.units[code]?.yearToDate;
      expect(ytd?.dossiersReceived, code).toBeGreaterThan(10);
      expect(ytd?.fullOnlineEligible ?? 0, code).toBeGreaterThan(ytd?.fullOnlineDossiers ?? 0);
    }
    // OpenCPS's payment is a constant: no fee is known, catalogue or not.
    for (const code of unitsOn('opencps'))
      expect([code, truth.units[code]?.yearToDate.dossiersWithFee]).toEqual([code, 0]);
    // The .NET system's unpaid dossiers of fee-bearing procedures are known through the catalogue.
    for (const code of unitsOn('dichvucong-dotnet')) {
      const ytd = truth.units[code]?.yearToDate;
      expect(ytd?.dossiersWithFee ?? 0, code).toBeGreaterThan(ytd?.onlinePayments ?? 0);
    }
    // Without the catalogue, only paid dossiers are known to carry a fee, and no level is known.
    const bare = plan(false).truth;
    for (const code of Object.keys(LEGACY_ONLY_UNITS)) {
      const ytd = bare.units[code]?.yearToDate;
      expect([code, ytd?.fullOnlineEligible]).toEqual([code, 0]);
      expect(ytd?.dossiersWithFee ?? 0, code).toBeLessThanOrEqual(
        truth.units[code]?.yearToDate.dossiersWithFee ?? 0,
      );
    }
  }, 120_000);

  for (const catalogued of [false, true])
    it(`the pipeline publishes what the truth states, ${catalogued ? 'with' : 'without'} the catalogue synced`, async () => {
      const { requests, truth } = plan(catalogued);
      for (const code of Object.keys(LEGACY_ONLY_UNITS)) {
        const figures = await published(code, requests, catalogued);
        const want = truth.units[code]?.yearToDate;
        expect({ code, ...Object.fromEntries(FIGURES.map((f) => [f, figures[f]])) }).toEqual({
          code,
          ...Object.fromEntries(FIGURES.map((f) => [f, want?.[f]])),
        });
      }
    }, 120_000);
});
