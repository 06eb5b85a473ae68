/**
 * The counters every published figure comes from. Each is a sum over dossiers of that dossier's
 * contribution, so it can be rebuilt from the dossiers at any time.
 */
export const COUNTERS = [
  'received', // dossiers received (cohort: day of receipt)
  'receivedOnline', // … through the online channel
  'receivedPostal', // … through the public postal service
  'fromNationalPortal', // … that came through the national portal
  'fullOnlineEligible', // … of procedures offered full-online
  'fullOnline', // … of those, received online
  'feeRequired', // … carrying a fee
  'paidOnline', // … of those, paid online
  'paidOnlineAmountVnd', // amount paid online
  'resolved', // dossiers resolved (cohort: day of first end status)
  'resolvedOnline', // … that were received online (processed online)
  'resolvedWithDueDate', // … whose due date is known
  'resolvedNoDueDate', // … whose procedure has, explicitly, no due date
  'resolvedOnTime', // … on or before it, with at most the allowed supplement requests
  'digitized', // … with digitised components and an electronic result
  'rated', // … with a satisfaction rating
  'satisfied', // … rated at or above the satisfied threshold
  'resultByPost', // dossiers received whose result is delivered by post (cohort: day of receipt)
  'openWithDueDate', // dossiers received, still open, with a due date (cohort: due day)
  'closureDue', // dossiers received with a due date, not withdrawn or stopped unresolved (cohort: due day)
  'closureInGrace', // … of those, first end status by the due date plus the closure grace (cohort: due day)
] as const;

export type CounterName = (typeof COUNTERS)[number];
export type CounterValues = Partial<Record<CounterName, number>>;

export function addInto(target: CounterValues, source: CounterValues, sign = 1): void {
  for (const name of COUNTERS) {
    const value = source[name];
    if (value) target[name] = (target[name] ?? 0) + sign * value;
  }
}

export function isZero(values: CounterValues): boolean {
  return COUNTERS.every((name) => !values[name]);
}
