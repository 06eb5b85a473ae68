import type { SenderProfileName } from '../../schemas/legacy-emc.ts';
import type { Kpis } from '../../schemas/snapshot.ts';

type Level = 'none' | 'partial' | 'full';
type Channel = 1 | 2 | 3;
interface PaymentFact {
  required: boolean;
  online: boolean;
}

/** How a published figure of a unit on this profile relates to what its dossiers really were. */
export type FigureSource = 'folded' | 'not_reported' | 'derived';

/** A fact a legacy record cannot carry, taken instead from the unit's synced catalogue by `codeTTHC`. */
export type CatalogueFact = 'onlineLevel' | 'feeBearing';

/**
 * What one real TrackingMCDT sender means by its fields, read from its own code. A code missing from a
 * table says nothing: the fact stays absent instead of being guessed.
 */
export interface SenderProfile {
  name: SenderProfileName;
  vendor: string;
  /** Fields the sender fills with one value per installation: they say nothing about the dossier. */
  constants: readonly ('formsPayments' | 'level' | 'isFromDVCQG')[];
  /** Legacy status → national status. 1 (registered) counts nothing but the feed's liveness. */
  status: Readonly<Record<number, number>>;
  /** `formsReception` → national submission channel (1 in person, 2 online, 3 postal). */
  channel: Readonly<Record<number, Channel>>;
  /** The channel of a received dossier whose record names none: in person, so the online rate is never inflated. */
  channelWhenAbsent: Channel;
  level: Readonly<Record<number, Level>>;
  payment: Readonly<Record<number, PaymentFact>>;
  /** `isDVCBC` → the result is delivered by post. It is never the submission channel. */
  resultByPost: Readonly<Record<number, boolean>>;
  /** The published figures this sender cannot make exact, and why; every other figure is exact. */
  figures: Readonly<Partial<Record<keyof Kpis, FigureSource>>>;
  /** What its records cannot say and the unit's catalogue can: taken from there once a catalogue is synced. */
  fromCatalogue: readonly CatalogueFact[];
}

/** The figures a catalogue fact feeds: derived, not reported, once the unit has synced a catalogue. */
const DERIVED_FIGURES: Readonly<Record<CatalogueFact, readonly (keyof Kpis)[]>> = {
  onlineLevel: ['fullOnlineEligible', 'fullOnlineDossiers', 'fullOnlineRate'],
  feeBearing: ['dossiersWithFee', 'onlinePaymentRate'],
};

const LEGACY_STATUS = { 0: 1, 1: 2, 2: 4, 3: 10 } as const;
const FORMS_RECEPTION = { 1: 2, 2: 1 } as const;
const IS_DVCBC = { 0: false, 1: true, 2: false } as const;

/** What no TrackingMCDT record carries: due dates, amounts, digitisation, ratings, postal submission. */
const NEVER_SENT: SenderProfile['figures'] = {
  onTimeRate: 'not_reported',
  dossiersWithDueDate: 'not_reported',
  dossiersOnTime: 'not_reported',
  dossiersWithoutDueDate: 'not_reported',
  onlinePaymentAmountVnd: 'not_reported',
  dossiersDigitized: 'not_reported',
  digitizedRate: 'not_reported',
  ratings: 'not_reported',
  satisfiedRatings: 'not_reported',
  satisfactionRate: 'not_reported',
  dossiersReceivedPostal: 'not_reported',
};

/** The profile table. Adding a sender is adding a row here and a page in docs/senders/. */
export const SENDER_PROFILES: Readonly<Record<SenderProfileName, SenderProfile>> = {
  generic: {
    name: 'generic',
    vendor: 'any sender that fills every field per dossier, with the national codes',
    constants: [],
    status: LEGACY_STATUS,
    channel: FORMS_RECEPTION,
    channelWhenAbsent: 1,
    level: { 2: 'none', 3: 'partial', 4: 'full' },
    payment: {
      0: { required: false, online: false },
      1: { required: true, online: true },
      2: { required: true, online: false },
    },
    resultByPost: IS_DVCBC,
    figures: NEVER_SENT,
    fromCatalogue: [],
  },
  opencps: {
    name: 'opencps',
    vendor: 'OpenCPS (Java, TTTTIntegrationImpl)',
    // FormsPaymentDirect, LEVEL and IS_FROM_DVCQG are the same for every dossier of an installation.
    constants: ['formsPayments', 'level', 'isFromDVCQG'],
    status: LEGACY_STATUS,
    channel: FORMS_RECEPTION,
    channelWhenAbsent: 1,
    level: {},
    payment: {},
    resultByPost: IS_DVCBC,
    figures: {
      ...NEVER_SENT,
      fullOnlineEligible: 'not_reported',
      fullOnlineDossiers: 'not_reported',
      fullOnlineRate: 'not_reported',
      dossiersWithFee: 'not_reported',
      onlinePayments: 'not_reported',
      onlinePaymentRate: 'not_reported',
      dossiersFromNationalPortal: 'not_reported',
    },
    // Its level is a constant, so the catalogue's says which dossiers are of full-online procedures. Its
    // payment is a constant too, but the catalogue's fee alone would publish an online-payment rate of 0
    // (fee-bearing dossiers, none known to be paid online): the fee stays not reported.
    fromCatalogue: ['onlineLevel'],
  },
  'dichvucong-dotnet': {
    name: 'dichvucong-dotnet',
    vendor: 'the .NET system (TD.DichVuCongApi, EMCService)',
    constants: [],
    // It sends national 1 and 2 as 1, 4 as 2, 9 and 10 as 3, and every other status (3, 5-8) as 0.
    status: LEGACY_STATUS,
    // It sends postal submissions (3) as online (1): online here means online or postal.
    channel: FORMS_RECEPTION,
    channelWhenAbsent: 1,
    // It sends partial-online (3) and full-online (4) both as 4, and everything else as 3: neither tells
    // whether the procedure is offered full-online.
    level: {},
    // 0 means "no payment was made", which is not "no fee": only paid dossiers are known to carry one.
    payment: { 1: { required: true, online: true }, 2: { required: true, online: false } },
    resultByPost: IS_DVCBC,
    // Registered-only dossiers (1, later 3) count as received, so every receipt-cohort count includes them.
    figures: {
      ...NEVER_SENT,
      dossiersReceived: 'folded',
      dossiersFromNationalPortal: 'folded',
      dossiersResultByPost: 'folded',
      onlinePayments: 'folded',
      dossiersReceivedOnline: 'folded',
      onlineRate: 'folded',
      dossiersResolvedOnline: 'folded',
      processedOnlineRate: 'folded',
      fullOnlineEligible: 'not_reported',
      fullOnlineDossiers: 'not_reported',
      fullOnlineRate: 'not_reported',
      dossiersWithFee: 'folded',
      onlinePaymentRate: 'folded',
    },
    // Its level is folded; its 0 says "not paid", which the catalogue's fee turns into "fee-bearing, not
    // paid online" or "no fee".
    fromCatalogue: ['onlineLevel', 'feeBearing'],
  },
};

/**
 * The figure sources a unit on this profile publishes: the profile's, with the figures its catalogue feeds
 * marked derived once the unit has synced a catalogue (dossiers received before the sync stay as reported).
 */
export function figureSources(
  profile: SenderProfile,
  catalogued: boolean,
): Partial<Record<keyof Kpis, FigureSource>> {
  const sources: Partial<Record<keyof Kpis, FigureSource>> = { ...profile.figures };
  if (!catalogued) return sources;
  for (const fact of profile.fromCatalogue)
    for (const figure of DERIVED_FIGURES[fact]) sources[figure] = 'derived';
  return sources;
}

export function senderProfile(name: SenderProfileName | undefined): SenderProfile {
  return SENDER_PROFILES[name ?? 'generic'];
}
