/** Calendar day (YYYY-MM-DD) of an instant in a fixed-offset zone; Asia/Ho_Chi_Minh has had no DST since 1975. */
export function dayOf(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The quarter's months of a YYYY-MM month, e.g. 2026-11 → [2026-10, 2026-11, 2026-12]. */
export function quarterMonths(month: string): string[] {
  const year = month.slice(0, 4);
  const first = Math.floor((Number(month.slice(5, 7)) - 1) / 3) * 3 + 1;
  return [0, 1, 2].map((i) => `${year}-${String(first + i).padStart(2, '0')}`);
}

export function addDays(day: string, delta: number): string {
  const ms = Date.parse(`${day}T00:00:00Z`) + delta * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}
