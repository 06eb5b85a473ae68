import { describe, expect, it } from 'vitest';
import { type RefusalDayRow, summariseRefusals } from '../../shared/domain/me/describe-unit.ts';

const example = (at: number, eventId: string) => ({ at, path: 'events[0].status', message: 'bad', eventId });

describe('the refusal summary of GET /v1/me', () => {
  it('sums the 7 days up to today, and leaves out the day before and any day after', () => {
    const rows: RefusalDayRow[] = [
      { date: '2026-11-16', reason: 'invalid-value', count: 100, examples: [] },
      { date: '2026-11-17', reason: 'invalid-value', count: 2, examples: [] },
      { date: '2026-11-23', reason: 'invalid-value', count: 3, examples: [] },
      { date: '2026-11-24', reason: 'invalid-value', count: 50, examples: [] },
      { date: '2026-11-23', reason: 'missing-field', count: 1, examples: [] },
    ];
    const summary = summariseRefusals(rows, '2026-11-17', '2026-11-23');
    expect(summary.byReason.map((r) => [r.reason, r.count])).toEqual([
      ['invalid-value', 5],
      ['missing-field', 1],
    ]);
    expect(summary.total).toBe(6);
  });

  it('keeps the 5 newest examples of a reason across days, newest first', () => {
    const rows: RefusalDayRow[] = [
      {
        date: '2026-11-22',
        reason: 'invalid-value',
        count: 3,
        examples: [1, 2, 3].map((i) => example(i, `a${i}`)),
      },
      {
        date: '2026-11-23',
        reason: 'invalid-value',
        count: 3,
        examples: [4, 5, 6].map((i) => example(i, `b${i}`)),
      },
    ];
    const [only] = summariseRefusals(rows, '2026-11-17', '2026-11-23').byReason;
    expect(only?.examples.map((e) => e.eventId)).toEqual(['b6', 'b5', 'b4', 'a3', 'a2']);
    expect(only?.examples[0]?.at).toBe(new Date(6).toISOString());
  });
});
