/**
 * The two public TrackingMCDT senders, as their own code builds a request: what a dossier really was goes in,
 * the HTTP body each vendor would post comes out. The simulator and the tests use these as the vendors'
 * stand-ins; they share nothing with the ingest mapping, which has to undo what they fold.
 */

/** A dossier as it really is inside the unit's TTHC system, at one status change. */
export interface TrueDossier {
  dossierCode: string;
  procedureCode: string;
  procedureName: string;
  /** National status, 1 to 10. */
  status: number;
  /** National channel: 1 in person, 2 online, 3 public postal service. */
  channel: 1 | 2 | 3 | undefined;
  onlineLevel: 'none' | 'partial' | 'full';
  /** How a fee was paid, if one was paid yet. */
  paid: 'online' | 'cash' | 'transfer' | undefined;
  resultByPost: boolean;
  fromNationalPortal: boolean;
  /** The officer's id in the unit's system. */
  officer: string;
}

export interface SenderRequest {
  contentType: string;
  body: string;
}

/** OpenCPS's own dossier status for a national one: the statuses its sender switches on. */
function openCpsStatus(national: number): string {
  if (national === 2) return 'processing';
  if (national === 4) return 'interoperating';
  if (national === 9) return 'releasing';
  if (national === 10) return 'done';
  if (national === 5) return 'waiting';
  if (national === 7) return 'cancelled';
  return 'new';
}

/** OpenCPS's installation constants: the same for every dossier it sends. */
export const OPENCPS_CONSTANTS = { siteId: '4064', formsPayments: '2', level: '3', isFromDVCQG: '0' };

/** OpenCPS's fields (`createBodyForCheckActionDossier` / `creatJsonParamForCheckActionDossier`), in its order. */
export function openCpsFields(dossier: TrueDossier): [string, string][] {
  const legacyStatus = { processing: '1', interoperating: '2', releasing: '2', posting: '2', done: '3' };
  const own = openCpsStatus(dossier.status);
  return [
    ['codeProfile', dossier.dossierCode],
    ['siteId', OPENCPS_CONSTANTS.siteId],
    ['codeTTHC', dossier.procedureCode],
    ['nameTTHC', dossier.procedureName],
    ['status', legacyStatus[own as keyof typeof legacyStatus] ?? '0'],
    // dossier.getOnline(): online, else direct. A postal submission is not online, so it goes as direct.
    ['formsReception', dossier.channel === 2 ? '1' : '2'],
    ['formsPayments', OPENCPS_CONSTANTS.formsPayments],
    ['level', OPENCPS_CONSTANTS.level],
    ['isFromDVCQG', OPENCPS_CONSTANTS.isFromDVCQG],
    // viaPostal == 2: the result goes out by VNPost.
    ['isDVCBC', dossier.resultByPost ? '1' : '0'],
    ['data', ''],
  ];
}

/** The form path: Spring's RestTemplate encodes a MultiValueMap. */
export function openCpsForm(dossier: TrueDossier): SenderRequest {
  return {
    contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
    body: new URLSearchParams(openCpsFields(dossier)).toString(),
  };
}

/**
 * The other path (`syncDoActionDossierUsingHttpConnection`): the JSON object's keys and values joined by hand
 * as `key=value&…`, unencoded, posted as a form; its caller counts only a 204 as delivered.
 */
export function openCpsHandBuilt(dossier: TrueDossier): SenderRequest {
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: openCpsFields(dossier)
      .map(([key, value]) => `${key}=${value}`)
      .join('&'),
  };
}

/** The same fields as a JSON object with every value a string, as that path's JSON object holds them. */
export function openCpsJson(dossier: TrueDossier): SenderRequest {
  return {
    contentType: 'application/json',
    body: JSON.stringify(Object.fromEntries(openCpsFields(dossier))),
  };
}

/** The .NET system's site id, an integer in its settings. */
export const DOTNET_SITE_ID = 4910;

/**
 * The .NET system (`EMCService.SendAction`): `PostAsJsonAsync`, so camelCase JSON, every value a string
 * but `siteId`, nullable fields `null`.
 */
export function dotNetBody(
  dossier: TrueDossier,
  casing: 'camel' | 'pascal' = 'camel',
): Record<string, unknown> {
  const status = [1, 2].includes(dossier.status)
    ? '1'
    : dossier.status === 4
      ? '2'
      : [9, 10].includes(dossier.status)
        ? '3'
        : '0';
  const formsReception = dossier.channel === undefined ? null : dossier.channel === 1 ? '2' : '1';
  const formsPayments = dossier.paid === undefined ? '0' : dossier.paid === 'online' ? '1' : '2';
  const internalLevel = dossier.onlineLevel === 'full' ? '4' : dossier.onlineLevel === 'partial' ? '3' : '2';
  const body: Record<string, unknown> = {
    codeProfile: dossier.dossierCode,
    siteId: DOTNET_SITE_ID,
    codeTTHC: dossier.procedureCode,
    nameTTHC: dossier.procedureName,
    maHoSo: dossier.dossierCode,
    status,
    formsReception,
    formsPayments,
    level: internalLevel === '3' || internalLevel === '4' ? '4' : '3',
    isFromDVCQG: dossier.fromNationalPortal ? '1' : '0',
    isDVCBC: dossier.resultByPost ? '1' : '0',
    data: null,
    user: JSON.stringify({
      ID_local: dossier.officer,
      ID_QG: dossier.officer,
      TYPE: dossier.officer.length === 10 ? '1' : '2',
      LOCATION: '49',
    }),
  };
  if (casing === 'camel') return body;
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => [key.charAt(0).toUpperCase() + key.slice(1), value]),
  );
}

export function dotNetJson(dossier: TrueDossier): SenderRequest {
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(dotNetBody(dossier)) };
}
