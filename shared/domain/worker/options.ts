import type { Settings } from '../../config/settings.ts';
import { dayOf } from '../time.ts';
import type { CountOptions } from './count-dossier-events.ts';

/** Counting options from configuration: dossier rules, the reporting time zone, and transaction sizing. */
export function countOptions(config: Settings): CountOptions {
  return {
    rules: config.dossier,
    dayOf: (ms) => dayOf(ms, config.time.utcOffsetMinutes),
    ...config.worker,
  };
}
