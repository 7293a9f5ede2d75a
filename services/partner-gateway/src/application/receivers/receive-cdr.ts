import { cdrSchema, invalidBody, OcpiError, OcpiStatus, sameContent, type Cdr } from '@voltmesh/ocpi';
import { unavailable } from '@voltmesh/errors';
import type { BillingClient } from '../../adapters/billing-client.js';
import { partyKey } from '../../domain/connection.js';
import type { Caller } from '../partner-registers.js';
import { assertOwnParty } from './party-scope.js';
import { assertTokenOfOurs, type OwnTokenCheck } from './receive-session.js';

/** Where a received CDR can be read back: `/{country_code}/{party_id}/{cdr_id}` (the CPO's party). */
export interface CdrAddress {
  countryCode: string;
  partyId: string;
  cdrId: string;
}

export interface CdrReceiverDeps extends OwnTokenCheck {
  billing: Pick<BillingClient, 'receive' | 'get'>;
  /** Our public base URL: the Location of a stored CDR is built on it. */
  publicUrl: string;
  now?: () => Date;
}

/**
 * A partner CPO (or a hub for it) posts a CDR of one of our tokens to our eMSP. Validated in
 * full (totals, period order, tariff currencies, no Session-only dimensions, credit rules),
 * then handed to billing, which stores it durably before we answer with the spec's `Location`.
 *
 * CDRs are immutable and the id is unique per CPO party. A repeated id is:
 * - the same CDR (equal after our schema's normalisation): answered 1000 with the same
 *   Location, storing and billing nothing twice — a sender retrying after a lost answer (the
 *   at-least-once senders OCPI advises against, yet most are) must not be punished;
 * - another CDR: 2001, nothing changes; a correction is a credit CDR with a new id.
 */
export async function receiveCdr(deps: CdrReceiverDeps, caller: Caller, body: unknown, version: '2.2.1' | '2.1.1' = '2.2.1'): Promise<{ location: string }> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  const parsed = cdrSchema.safeParse(body);
  if (!parsed.success) throw invalidBody(parsed.error);
  const cdr = parsed.data;
  const cpo = { countryCode: cdr.country_code, partyId: cdr.party_id };
  // The URL names no party to hide here: a CDR of another party is a wrong field, 2001.
  if (!caller.connection.roles.some((role) => partyKey(role.countryCode, role.partyId) === partyKey(cpo.countryCode, cpo.partyId))) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `country_code/party_id: ${partyKey(cpo.countryCode, cpo.partyId)} is not one of your parties; a CPO posts only its own CDRs`);
  }
  await assertTokenOfOurs(deps, cdr.cdr_token);

  const location = cdrUrl(deps.publicUrl, { countryCode: cpo.countryCode, partyId: cpo.partyId, cdrId: cdr.id }, version);
  const outcome = await deps.billing.receive({ connectionId: caller.connection.id, cpo, cdr, receivedAt: (deps.now?.() ?? new Date()).toISOString() });
  if (outcome === 'STORED') return { location };

  const stored = await deps.billing.get('EMSP', cpo, cdr.id);
  // Billing just said it holds this id; not finding it is a passing inconsistency: retry later.
  if (!stored) throw unavailable(`billing reported CDR ${cdr.id} of ${partyKey(cpo.countryCode, cpo.partyId)} as existing but could not read it`);
  // Equal content is the same CDR whichever connection of this party posted it first.
  if (sameContent(stored.cdr, cdr)) return { location };
  throw new OcpiError(
    OcpiStatus.INVALID_PARAMETERS,
    `CDR ${cdr.id} of ${partyKey(cpo.countryCode, cpo.partyId)} was already received with other content; CDRs are immutable: send a credit CDR`,
  );
}

/** A partner CPO reads back one of the CDRs it posted (the URL our Location named). */
export async function readPartnerCdr(deps: Pick<CdrReceiverDeps, 'billing'>, caller: Caller, address: CdrAddress): Promise<Cdr> {
  assertOwnParty(caller.connection, address.countryCode, address.partyId);
  const stored = await deps.billing.get('EMSP', { countryCode: address.countryCode, partyId: address.partyId }, address.cdrId);
  if (!stored || stored.connectionId !== caller.connection.id) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `unknown CDR ${address.cdrId} of ${partyKey(address.countryCode, address.partyId)}`, { httpStatus: 404 });
  }
  return stored.cdr;
}

/** `${PUBLIC_URL}/ocpi/{version}/emsp/cdrs/{CC}/{PID}/{ID}`: ids upper case (CiString), each segment URL-encoded. */
export function cdrUrl(publicUrl: string, address: CdrAddress, version: '2.2.1' | '2.1.1' = '2.2.1'): string {
  const segments = [address.countryCode, address.partyId, address.cdrId].map((segment) => encodeURIComponent(segment.toUpperCase()));
  return `${publicUrl}/ocpi/${version}/emsp/cdrs/${segments.join('/')}`;
}
