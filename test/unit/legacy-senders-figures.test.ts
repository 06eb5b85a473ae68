import { describe, expect, it } from 'vitest';
import { addInto, type CounterValues } from '../../shared/domain/dossier/counters.ts';
import { contributions, type DossierState, merge } from '../../shared/domain/dossier/state.ts';
import { kpis } from '../../shared/domain/evaluation/kpis.ts';
import { figureSources, SENDER_PROFILES } from '../../shared/domain/ingest/sender-profiles.ts';
import type { CatalogProcedure } from '../../shared/domain/ports.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { type QueuedEvent, queuedEventSchema } from '../../shared/schemas/queue.ts';
import type { Kpis } from '../../shared/schemas/snapshot.ts';
import { dotNetJson, openCpsForm, type SenderRequest, type TrueDossier } from '../../simulator/senders.ts';
import { ingestHarness } from '../helpers/ingest-harness.ts';

/** A dossier as it really was: its lifecycle and what its sender's system knew. */
interface Truth extends Omit<TrueDossier, 'status'> {
  lifecycle: number[];
  feeBearing: boolean;
}

const LIFECYCLES = [
  [1, 2, 4, 9, 10], // resolved
  [2, 4], // still in progress
  [1, 3], // registered, then not accepted
  [2, 4, 5, 4, 9, 10], // a supplement request, then resolved
  [1], // registered only
  [2, 4, 7], // withdrawn by the citizen
];
const CHANNELS = [1, 2, 3, undefined] as const;
const LEVELS = ['none', 'partial', 'full'] as const;
const FEES = [
  { feeBearing: false, paid: undefined },
  { feeBearing: true, paid: undefined },
  { feeBearing: true, paid: 'online' },
  { feeBearing: true, paid: 'cash' },
  { feeBearing: true, paid: 'transfer' },
] as const;

/** 210 dossiers: every lifecycle with every channel, level, fee, delivery and portal mix, received on ten days. */
const population: Truth[] = Array.from({ length: 210 }, (_, i) => {
  const channel = CHANNELS[i % 4];
  const fee = FEES[i % 5] ?? FEES[0];
  return {
    dossierCode: `000.00.53.H48-2611${String(10 + (i % 10))}-${String(i).padStart(4, '0')}`,
    procedureCode: `1.00${String(1000 + (i % 7)).padStart(4, '0')}`,
    procedureName: 'Thủ tục',
    lifecycle: LIFECYCLES[i % 6] ?? [1],
    channel,
    onlineLevel: LEVELS[i % 3] ?? 'none',
    feeBearing: fee.feeBearing,
    paid: fee.paid,
    resultByPost: i % 7 === 0,
    fromNationalPortal: channel === 2 && i % 2 === 0,
    officer: i % 2 === 0 ? '0123456789' : 'canbo01',
  };
});

/**
 * The figures these dossiers really have, from what they were; none of the pipeline's code is used. With
 * `registeredAsReceived`, a dossier only registered counts as received, as the .NET system folds it.
 */
function truthFigures(dossiers: readonly Truth[], registeredAsReceived = false): Partial<Kpis> {
  const received = dossiers.filter((d) =>
    d.lifecycle.some((s) => (s >= 2 && s !== 3) || (registeredAsReceived && s === 1)),
  );
  const resolved = received.filter((d) => d.lifecycle.some((s) => s === 9 || s === 10));
  const count = (list: Truth[], test: (d: Truth) => boolean): number => list.filter(test).length;
  const rate = (n: number, d: number): number | null => (d > 0 ? n / d : null);
  const online = (d: Truth): boolean => d.channel === 2;
  const full = count(received, (d) => d.onlineLevel === 'full');
  const fullOnline = count(received, (d) => d.onlineLevel === 'full' && online(d));
  const withFee = count(received, (d) => d.feeBearing);
  const paidOnline = count(received, (d) => d.paid === 'online');
  return {
    dossiersReceived: received.length,
    dossiersReceivedOnline: count(received, online),
    dossiersReceivedPostal: count(received, (d) => d.channel === 3),
    dossiersFromNationalPortal: count(received, (d) => d.fromNationalPortal),
    dossiersResultByPost: count(received, (d) => d.resultByPost),
    onlineRate: rate(count(received, online), received.length),
    fullOnlineEligible: full,
    fullOnlineDossiers: fullOnline,
    fullOnlineRate: rate(fullOnline, full),
    dossiersResolved: resolved.length,
    dossiersResolvedOnline: count(resolved, online),
    processedOnlineRate: rate(count(resolved, online), resolved.length),
    // Every real dossier has a due date (NgayHenTra) once received.
    dossiersWithDueDate: resolved.length,
    dossiersWithoutDueDate: 0,
    dossiersWithFee: withFee,
    onlinePayments: paidOnline,
    onlinePaymentRate: rate(paidOnline, withFee),
  };
}

/** Each status change through the vendor's own request, then through ingest and the counters' fold. */
async function published(
  profile: 'opencps' | 'dichvucong-dotnet',
  build: (dossier: TrueDossier) => SenderRequest,
  dossiers: readonly Truth[] = population,
  catalogue?: Readonly<Record<string, CatalogProcedure>>,
): Promise<Kpis> {
  const h = ingestHarness(
    catalogue ? { catalogue: { procedures: async () => new Map(Object.entries(catalogue)) } } : {},
  );
  const key = h.keys.issue('H48', profile);
  for (const truth of dossiers) {
    for (const status of truth.lifecycle) {
      const request = build({ ...truth, status });
      const response = await h.call('legacy', {
        body: request.body,
        headers: { 'content-type': request.contentType },
        pathParameters: { siteKey: key },
      });
      expect(response.status, response.text).toBe(204);
    }
  }
  const events = (h.queue.messages('dossier-events') as { events: unknown[] }[]).flatMap((m) =>
    m.events.map((e) => queuedEventSchema.parse(e)),
  );
  const byDossier = new Map<string, QueuedEvent[]>();
  for (const event of events)
    byDossier.set(event.dossierCode, [...(byDossier.get(event.dossierCode) ?? []), event]);
  const totals: CounterValues = {};
  for (const dossierEvents of byDossier.values()) {
    const state = dossierEvents.reduce<DossierState>((s, e) => merge(s, e, h.config.dossier), {});
    for (const cell of contributions(state, h.config.dossier, (ms) => dayOf(ms, 420)).cells)
      addInto(totals, cell.values);
  }
  return kpis(totals, { procedures: 0, online: 0, fullOnline: 0 }, null);
}

/** Every figure that differs from the truth must be one the profile declares folded or not reported. */
function undeclaredDifferences(
  figures: Kpis,
  truth: Partial<Kpis>,
  declared: Partial<Record<keyof Kpis, string>>,
): string[] {
  return (Object.keys(truth) as (keyof Kpis)[]).filter(
    (name) => figures[name] !== truth[name] && declared[name] === undefined,
  );
}

const truth = truthFigures(population);

describe('each vendor’s folding, pushed through to the published figures', () => {
  it('the population exercises every fold: postal, unknown channel, unpaid fees, registered-only', () => {
    expect(truth.dossiersReceivedPostal).toBeGreaterThan(0);
    expect(truth.dossiersWithFee).toBeGreaterThan(truth.onlinePayments ?? 0);
    expect(population.filter((d) => d.lifecycle.every((s) => s < 2 || s === 3)).length).toBeGreaterThan(0);
  });

  it('OpenCPS: receipts, the online rate, resolutions and result-by-post are exact; constants report nothing', async () => {
    const figures = await published('opencps', openCpsForm);
    for (const name of [
      'dossiersReceived',
      'dossiersReceivedOnline',
      'onlineRate',
      'dossiersResolved',
      'dossiersResolvedOnline',
      'dossiersResultByPost',
    ] as const)
      expect(figures[name], name).toBe(truth[name]);
    // Lost: its level, fee and portal fields are installation constants, and it sends no due date.
    expect(figures).toMatchObject({
      fullOnlineEligible: 0,
      fullOnlineRate: null,
      dossiersWithFee: 0,
      onlinePaymentRate: null,
      dossiersFromNationalPortal: 0,
      dossiersReceivedPostal: 0,
      dossiersWithDueDate: 0,
      dossiersWithoutDueDate: truth.dossiersResolved,
      onTimeRate: null,
    });
    expect(undeclaredDifferences(figures, truth, SENDER_PROFILES.opencps.figures)).toEqual([]);
  }, 60_000);

  it('the .NET system: resolutions are exact; receipts include registered-only dossiers; its folds show', async () => {
    const figures = await published('dichvucong-dotnet', dotNetJson);
    expect(figures.dossiersResolved).toBe(truth.dossiersResolved);
    // Exact once its one fold of statuses is undone: it counts registered dossiers as received.
    const folded = truthFigures(population, true);
    for (const name of ['onlinePayments', 'dossiersFromNationalPortal', 'dossiersResultByPost'] as const)
      expect(figures[name], name).toBe(folded[name]);
    const registeredOnly = population.filter((d) => d.lifecycle.every((s) => s < 2 || s === 3));
    // Registered (1) and received (2) are one code: a dossier registered and never accepted counts as received.
    expect(figures.dossiersReceived).toBe((truth.dossiersReceived ?? 0) + registeredOnly.length);
    // Postal submissions are sent as online.
    const receivedIds = (d: Truth): boolean => d.lifecycle.some((s) => s >= 1);
    expect(figures.dossiersReceivedOnline).toBe(
      population.filter((d) => receivedIds(d) && (d.channel === 2 || d.channel === 3)).length,
    );
    expect(figures.dossiersReceivedPostal).toBe(0);
    // Level 3 and 4 are both sent as 4: full-online eligibility is not reported.
    expect(figures.fullOnlineEligible).toBe(0);
    // "No payment made" is not "no fee": only paid dossiers are known to carry one.
    expect(figures.dossiersWithFee).toBe(
      population.filter((d) => d.lifecycle.some((s) => s >= 1) && d.paid !== undefined).length,
    );
    expect(undeclaredDifferences(figures, truth, SENDER_PROFILES['dichvucong-dotnet'].figures)).toEqual([]);
  }, 60_000);

  describe('with the unit’s catalogue synced, level and fee are derived from it by codeTTHC', () => {
    // Seven procedures; a dossier's level and fee are its procedure's, as in a real catalogue.
    const catalogue: Record<string, CatalogProcedure> = Object.fromEntries(
      Array.from({ length: 7 }, (_, p) => [
        `1.00${String(1000 + p).padStart(4, '0')}`,
        { onlineLevel: LEVELS[p % 3] ?? 'none', feeBearing: p % 2 === 0 },
      ]),
    );
    const catalogued: Truth[] = population.map((d) => {
      const entry = catalogue[d.procedureCode] ?? { onlineLevel: 'none', feeBearing: false };
      return {
        ...d,
        onlineLevel: entry.onlineLevel,
        feeBearing: entry.feeBearing,
        paid: entry.feeBearing ? d.paid : undefined,
      };
    });
    const derivedTruth = truthFigures(catalogued);

    it('OpenCPS: full-online figures become exact; the fee stays not reported', async () => {
      const figures = await published('opencps', openCpsForm, catalogued, catalogue);
      expect(derivedTruth.fullOnlineEligible).toBeGreaterThan(derivedTruth.fullOnlineDossiers ?? 0);
      for (const name of ['fullOnlineEligible', 'fullOnlineDossiers', 'fullOnlineRate'] as const)
        expect(figures[name], name).toBe(derivedTruth[name]);
      expect(figures).toMatchObject({ dossiersWithFee: 0, onlinePaymentRate: null });
      const sources = figureSources(SENDER_PROFILES.opencps, true);
      expect(sources).toMatchObject({ fullOnlineRate: 'derived', onlinePaymentRate: 'not_reported' });
      expect(undeclaredDifferences(figures, derivedTruth, sources)).toEqual([]);
    }, 60_000);

    it('the .NET system: full-online and fee figures are exact up to its status fold', async () => {
      const figures = await published('dichvucong-dotnet', dotNetJson, catalogued, catalogue);
      const folded = truthFigures(catalogued, true);
      for (const name of [
        'fullOnlineEligible',
        'dossiersWithFee',
        'onlinePayments',
        'onlinePaymentRate',
      ] as const)
        expect(figures[name], name).toBe(folded[name]);
      expect(folded.dossiersWithFee).toBeGreaterThan(folded.onlinePayments ?? 0);
      // Postal submissions are sent as online, so full-online dossiers include the postal ones.
      expect(figures.fullOnlineDossiers).toBe(
        catalogued.filter((d) => d.onlineLevel === 'full' && (d.channel === 2 || d.channel === 3)).length,
      );
      expect(figures.fullOnlineDossiers).toBeGreaterThan(folded.fullOnlineDossiers ?? 0);
      const sources = figureSources(SENDER_PROFILES['dichvucong-dotnet'], true);
      expect(sources).toMatchObject({ dossiersWithFee: 'derived', fullOnlineEligible: 'derived' });
      expect(undeclaredDifferences(figures, derivedTruth, sources)).toEqual([]);
    }, 60_000);

    it('marks nothing derived for a unit that has synced no catalogue', () => {
      for (const profile of Object.values(SENDER_PROFILES))
        expect(Object.values(figureSources(profile, false))).not.toContain('derived');
    });
  });
});
