import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.ts';
import type { CounterValues } from '../../../../shared/domain/dossier/counters.ts';
import { addContributions, emptyDelta } from '../../../../shared/domain/dossier/delta.ts';
import { contributions, type DossierState, merge } from '../../../../shared/domain/dossier/state.ts';
import { kpiOptions, kpis, serviceFigures, sumCounters } from '../../../../shared/domain/evaluation/kpis.ts';
import type { QueuedEvent } from '../../../../shared/schemas/queue.ts';
import { kpisSchema } from '../../../../shared/schemas/snapshot.ts';

const config = loadSettings({});
const rules = config.dossier;
const HOUR = 3_600_000;
const T = Date.parse('2026-11-10T03:00:00Z');
const vnDay = (ms: number): string => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
const PROCEDURES = ['1.000001', '1.000002', '1.000003', '1.000004'];

const anEvent = fc.record({
  dossier: fc.integer({ min: 0, max: 5 }),
  eventId: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  status: fc.integer({ min: 1, max: 10 }),
  procedureCode: fc.constantFrom(...PROCEDURES),
  occurredAt: fc.integer({ min: T, max: T + 96 * HOUR }),
  receivedAt: fc.option(fc.integer({ min: T - 24 * HOUR, max: T }), { nil: undefined }),
  channel: fc.option(fc.constantFrom(1 as const, 2 as const, 3 as const), { nil: undefined }),
  onlineLevel: fc.option(fc.constantFrom('none' as const, 'partial' as const, 'full' as const), {
    nil: undefined,
  }),
  dueAt: fc.option(fc.integer({ min: T - 48 * HOUR, max: T + 96 * HOUR }), { nil: undefined }),
  noDueDate: fc.option(fc.constant(true), { nil: undefined }),
  supplementRequests: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  payment: fc.option(
    fc.record({ required: fc.boolean(), online: fc.boolean(), amountVnd: fc.constantFrom(0, 20_000) }),
    { nil: undefined },
  ),
  digitized: fc.option(fc.boolean(), { nil: undefined }),
  electronicResult: fc.option(fc.boolean(), { nil: undefined }),
  satisfaction: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
});

function toQueued(e: Record<string, unknown> & { dossier: number }): QueuedEvent {
  const { dossier, ...rest } = e;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return {
    dossierCode: `000.00.10.H48-261110-${String(dossier).padStart(4, '0')}`,
    agencyCode: '000.00.10.H48',
    ...defined,
  } as QueuedEvent;
}

describe('every published rate is null or within [0, 1], for any event stream', () => {
  it('holds for each period a counter set can be cut into, against any catalogue', () => {
    // Rates checked over the run, so the property cannot pass on streams that count nothing.
    const checked = { rates: 0, nonNull: 0 };
    fc.assert(
      fc.property(
        fc.array(anEvent, { minLength: 1, maxLength: 30 }),
        fc.dictionary(
          fc.constantFrom(...PROCEDURES),
          fc.constantFrom('none', 'partial', 'full') as fc.Arbitrary<'none' | 'partial' | 'full'>,
        ),
        fc.integer({ min: 0, max: 10 }),
        fc.constantFrom('resolved' as const, 'resolved_and_overdue_open' as const),
        (raw, levels, extraProcedures, onTimeDenominator) => {
          const states = new Map<string, DossierState>();
          for (const event of raw.map(toQueued))
            states.set(event.dossierCode, merge(states.get(event.dossierCode) ?? {}, event, rules));
          const delta = emptyDelta();
          for (const state of states.values()) addContributions(delta, contributions(state, rules, vnDay), 1);
          const byDay = new Map<string, CounterValues>();
          for (const [key, values] of delta.cells) {
            const day = key.split('|')[0] ?? '';
            byDay.set(day, sumCounters([byDay.get(day) ?? {}, values]));
          }
          const services = new Map<string, Record<string, number>>();
          for (const [key, count] of delta.services) {
            const [month = '', code = ''] = key.split('|');
            services.set(code, { ...services.get(code), [month.slice(5, 7)]: count });
          }
          const online = Object.values(levels).filter((l) => l !== 'none').length;
          const catalog = {
            procedures: Object.keys(levels).length + extraProcedures,
            online,
            fullOnline: Object.values(levels).filter((l) => l === 'full').length,
            levels,
          };
          const serviceList = [...services].map(([procedureCode, months]) => ({ procedureCode, months }));
          const days = [...byDay.keys()].sort();
          // Every cut of the days, with every day as "today".
          for (const today of days) {
            const upTo = days.filter((d) => d <= today);
            const counters = sumCounters(upTo.map((d) => byDay.get(d) ?? {}));
            const figures = kpis(counters, catalog, serviceFigures(serviceList, ['10', '11', '12'], levels), {
              ...kpiOptions(config, byDay.get(today)),
              onTimeDenominator,
            });
            expect(kpisSchema.safeParse(figures).success).toBe(true);
            for (const [name, value] of Object.entries(figures)) {
              if (!name.endsWith('Rate')) continue;
              checked.rates++;
              if (value !== null) checked.nonNull++;
              expect(value === null || (typeof value === 'number' && value >= 0 && value <= 1)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(checked.rates).toBeGreaterThan(0);
    expect(checked.nonNull).toBeGreaterThan(0);
  });
});
