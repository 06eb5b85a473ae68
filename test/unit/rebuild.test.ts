import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.ts';
import type { DossierState } from '../../shared/domain/dossier/state.ts';
import {
  compareCounters,
  countersFrom,
  daysOf,
  foldEvents,
  monthsOf,
  type RebuiltCounters,
} from '../../shared/domain/operations/rebuild.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { expectedCounters } from '../../simulator/model.ts';
import { generateStream } from '../helpers/dossier-streams.ts';

const config = loadSettings({});
const vnDay = (ms: number) => dayOf(ms, config.time.utcOffsetMinutes);

/** The rebuilt counters in the model's key format, `unit|period|scope|counter`. */
function asModel(unitCode: string, rebuilt: RebuiltCounters): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of rebuilt.rows.values())
    for (const [name, value] of Object.entries(row.values))
      if (value)
        out.set(`${unitCode}|${row.period}|${row.agencyCode ? `A#${row.agencyCode}` : 'U'}|${name}`, value);
  for (const [id, months] of rebuilt.services) {
    const [year, procedure] = id.split('|');
    for (const [mm, count] of Object.entries(months))
      out.set(`${unitCode}|${year}-${mm}|${procedure}|online`, count);
  }
  return out;
}

describe('rebuilding counters from archived events', () => {
  it('widens a range to whole months', () => {
    expect(monthsOf('2025-11-20', '2026-02-03')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(daysOf(['2024-02'])).toHaveLength(29);
  });

  it('gives the independent model’s counters whatever the order and however often events come', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (seed, order) => {
          const events = generateStream(seed, { units: ['H48'], dossiers: 25 });
          const shuffled = [...events];
          for (const [i, n] of order.entries()) {
            const a = i % shuffled.length;
            const b = n % shuffled.length;
            [shuffled[a], shuffled[b]] = [
              shuffled[b] as (typeof shuffled)[number],
              shuffled[a] as (typeof shuffled)[number],
            ];
          }
          const states = new Map<string, DossierState>();
          foldEvents(states, [...shuffled, ...shuffled.slice(0, order.length)], config.dossier);
          const months = [
            ...new Set(
              events
                .flatMap((e) => [e.occurredAt, e.receivedAt ?? e.occurredAt])
                .map((t) => vnDay(t).slice(0, 7)),
            ),
          ];
          const rebuilt = countersFrom(states.values(), months.sort(), config.dossier, vnDay);
          expect(asModel('H48', rebuilt)).toEqual(expectedCounters(events));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps only the months asked for, and lists every differing figure with both values', () => {
    const events = generateStream(5, { units: ['H48'], dossiers: 30 });
    const states = new Map<string, DossierState>();
    foldEvents(states, events, config.dossier);
    const all = countersFrom(states.values(), ['2026-11'], config.dossier, vnDay);
    const none = countersFrom(states.values(), ['2026-10'], config.dossier, vnDay);
    expect(none.rows.size).toBe(0);
    expect(compareCounters(all, all)).toEqual([]);
    const live: RebuiltCounters = { rows: new Map(all.rows), services: new Map(all.services) };
    const [id, row] =
      [...all.rows].find(([, r]) => r.agencyCode === undefined && r.period.length === 10) ?? [];
    live.rows.set(id ?? '', {
      ...(row as NonNullable<typeof row>),
      values: { ...row?.values, received: (row?.values.received ?? 0) + 2 },
    });
    expect(compareCounters(live, all)).toEqual([
      {
        kind: 'counter',
        period: row?.period,
        agencyCode: null,
        procedureCode: null,
        counter: 'received',
        live: (row?.values.received ?? 0) + 2,
        rebuilt: row?.values.received ?? 0,
      },
    ]);
  });
});
