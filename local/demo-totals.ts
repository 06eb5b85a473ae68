import { z } from 'zod';
import { addDays, dayOf } from '../shared/domain/time.ts';

/** One day's totals, as a unit posts them to `POST /v1/daily-totals`. */
export interface DayTotals {
  received: number;
  receivedOnline: number;
  resolved: number;
  resolvedOnTime: number;
}

const totalsSchema = z.object({
  received: z.number().int().min(0),
  receivedOnline: z.number().int().min(0),
  resolved: z.number().int().min(0),
  resolvedOnTime: z.number().int().min(0),
});

export const talliesStateSchema = z.object({
  /** Per unit, per Vietnam day, what the demo delivered. */
  days: z.record(z.string(), z.record(z.string(), totalsSchema)),
  /** Per unit, the last day whose totals it posted. */
  postedThrough: z.record(z.string(), z.string()),
});
export type TalliesState = z.infer<typeof talliesStateSchema>;

const ZERO: DayTotals = { received: 0, receivedOnline: 0, resolved: 0, resolvedOnTime: 0 };

/**
 * What the demo's units keep of their own traffic, so that each can post its daily totals after Vietnam's
 * midnight as a real unit's system does from its own records. Only what the API accepted is tallied, on the
 * day the pipeline attributes it to: a receipt on its day of receipt, a resolution on the day of its first
 * delivered end status (9 or 10), on time when that is at or before the due date (the demo sends no
 * supplement requests). Without these totals, every unit that posted totals once would read as
 * `reconciliation_unreported` from the first midnight on.
 */
export class DailyTallies {
  private readonly days: Map<string, Map<string, DayTotals>>;
  private readonly postedThrough: Map<string, string>;

  constructor(
    private readonly utcOffsetMinutes: number,
    state: TalliesState = { days: {}, postedThrough: {} },
  ) {
    this.days = new Map(
      Object.entries(state.days).map(([unit, days]) => [unit, new Map(Object.entries(days))] as const),
    );
    this.postedThrough = new Map(Object.entries(state.postedThrough));
  }

  /** Adds totals a unit already had for a day: the backfilled scenario's part of its last day. */
  add(unitCode: string, day: string, totals: DayTotals): void {
    const current = this.day(unitCode, day);
    current.received += totals.received;
    current.receivedOnline += totals.receivedOnline;
    current.resolved += totals.resolved;
    current.resolvedOnTime += totals.resolvedOnTime;
  }

  receipt(unitCode: string, receivedAt: number, online: boolean): void {
    const totals = this.day(unitCode, dayOf(receivedAt, this.utcOffsetMinutes));
    totals.received += 1;
    if (online) totals.receivedOnline += 1;
  }

  resolution(unitCode: string, resolvedAt: number, dueAt: number): void {
    const totals = this.day(unitCode, dayOf(resolvedAt, this.utcOffsetMinutes));
    totals.resolved += 1;
    if (resolvedAt <= dueAt) totals.resolvedOnTime += 1;
  }

  /** Marks the totals before `day` as already posted (the backfill posted its own). */
  postedBefore(unitCode: string, day: string): void {
    this.postedThrough.set(unitCode, addDays(day, -1));
  }

  /**
   * The complete days a unit has not posted yet, oldest first, as of `now`: every day after the last one
   * it posted and before today, with zeros for a day without traffic (a quiet day is reported too).
   */
  due(unitCode: string, now: number): { date: string; totals: DayTotals }[] {
    const last = this.postedThrough.get(unitCode);
    if (last === undefined) return [];
    const today = dayOf(now, this.utcOffsetMinutes);
    const due: { date: string; totals: DayTotals }[] = [];
    for (let date = addDays(last, 1); date < today; date = addDays(date, 1))
      due.push({ date, totals: { ...(this.days.get(unitCode)?.get(date) ?? ZERO) } });
    return due;
  }

  /** Records that a unit posted its totals through `date`, and forgets the days before it. */
  posted(unitCode: string, date: string): void {
    this.postedThrough.set(unitCode, date);
    const days = this.days.get(unitCode);
    for (const day of days?.keys() ?? []) if (day <= date) days?.delete(day);
  }

  toJSON(): TalliesState {
    return {
      days: Object.fromEntries(
        [...this.days].map(([unit, days]) => [unit, Object.fromEntries(days)] as const),
      ),
      postedThrough: Object.fromEntries(this.postedThrough),
    };
  }

  private day(unitCode: string, day: string): DayTotals {
    let days = this.days.get(unitCode);
    if (!days) {
      days = new Map();
      this.days.set(unitCode, days);
    }
    let totals = days.get(day);
    if (!totals) {
      totals = { ...ZERO };
      days.set(day, totals);
    }
    return totals;
  }
}
