import type { Contributions, DossierState } from './state.ts';

/**
 * Why a dossier no longer counts: an operator withdrew it (`emc dossiers void`). A voided dossier keeps
 * merging the events that still arrive for it, so its state stays true, but it adds nothing to any counter
 * until an operator restores it (`emc dossiers restore`).
 */
export interface VoidMark {
  at: number;
  by: string;
  reason: string;
}

/** One step in a dossier's voiding history, newest last. */
export interface VoidStep {
  action: 'voided' | 'restored';
  at: number;
  by: string;
  reason: string;
}

/**
 * The archived record of a voiding, kept for good: who withdrew the dossier, when and why, and what it was
 * (its state and exactly what it had added to the counters) at that moment.
 */
export interface VoidRecord {
  unitCode: string;
  dossierCode: string;
  /** `voided` while the dossier counts nothing; `restored` once it counts again. */
  status: 'voided' | 'restored';
  at: number;
  by: string;
  reason: string;
  lastState: DossierState;
  /** What the dossier had added to the counters when it was voided; it was subtracted exactly. */
  counted: Contributions;
  history: VoidStep[];
}

/** An empty contribution: what a voided dossier adds to the counters. */
export const NOTHING_COUNTED: Contributions = { cells: [] };
