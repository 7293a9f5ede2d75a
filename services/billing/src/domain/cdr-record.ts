import { createHash } from 'node:crypto';
import { formatOcpiDateTime, parseOcpiDateTime } from '@voltmesh/ocpi';

/** An OCPI party, upper case. */
export interface Party {
  country_code: string;
  party_id: string;
}

/** Which side of the OCPI CDRs module a CDR is on for us: issued by our CPO, or received by our eMSP. */
export type CdrRole = 'CPO' | 'EMSP';

/**
 * A stored CDR. Written once (CDRs are immutable), never updated: the OCPI object as issued or
 * received plus copies of the fields lists filter on.
 */
export interface CdrRecord {
  /** `CC*PID*ID` of the CPO party, upper case: the document `_id` and the Kafka key. */
  key: string;
  role: CdrRole;
  cpo: Party;
  id: string;
  /** The eMSP of the token (cdr_token's party). */
  emsp: Party;
  contract_id: string;
  session_id: string;
  currency: string;
  /** total_cost as decimal strings; incl is '' when a partner's CDR has none. */
  total_cost_excl_vat: string;
  total_cost_incl_vat: string;
  credit: boolean;
  credit_reference_id: string;
  /** EMSP role: the partner connection that posted it. */
  connection_id: string;
  /** RFC 3339 UTC: when we stored it (= the OCPI last_updated of the CDRs we issue). */
  created_at: string;
  /**
   * The CDR's end_date_time as `YYYY-MM-DDTHH:MM:SS.sssZ` (a copy of the OCPI field, normalised so
   * it compares as text): finance periods select CDRs by it.
   */
  end_date_time: string;
  /** CPO role: the price engine's result the totals came from (PricingRecord JSON); '' without a tariff. */
  pricing_json: string;
  /** The complete OCPI CDR, JSON: as we issued it, or exactly the text the partner posted. */
  ocpi_json: string;
}

/** The identity of a CDR everywhere (store, Kafka key, disputes): `CC*PID*ID`, upper case. */
export function cdrKey(cpo: Party, id: string): string {
  return `${cpo.country_code}*${cpo.party_id}*${id}`.toUpperCase();
}

/** Non-credit CDR ids are CiString(36) (OCPI 2.2.1 §7.2); a credit appends "-C" (39). */
export const CDR_ID_MAX = 36;
export const CREDIT_SUFFIX = '-C';

/**
 * The id of the CDR our CPO issues for a session: the session id itself (a Session id is a
 * CiString(36), so it always fits), upper case. Deterministic, so a replayed or retried event
 * finds the CDR it already made. Should a longer id ever arrive, a stable derivation keeps the
 * rule: "S" + the first 35 hex digits of SHA-256 of the upper-case session id.
 */
export function cdrIdForSession(sessionId: string): string {
  const id = sessionId.toUpperCase();
  if (id.length <= CDR_ID_MAX) return id;
  return `S${createHash('sha256').update(id).digest('hex').slice(0, CDR_ID_MAX - 1).toUpperCase()}`;
}

/** The id of the credit CDR of `id` (OCPI's suggested rule: original id + "-C"). */
export function creditIdFor(id: string): string {
  return `${id}${CREDIT_SUFFIX}`.toUpperCase();
}

/**
 * The end_date_time of a CDR's OCPI JSON, normalised (`YYYY-MM-DDTHH:MM:SS.sssZ`); '' when the
 * text has none that reads. For documents stored before the copy was kept beside the CDR.
 */
export function endDateTimeOfJson(ocpiJson: string): string {
  try {
    const value = (JSON.parse(ocpiJson) as { end_date_time?: unknown }).end_date_time;
    const date = typeof value === 'string' ? parseOcpiDateTime(value) : undefined;
    return date ? formatOcpiDateTime(date) : '';
  } catch {
    return '';
  }
}
