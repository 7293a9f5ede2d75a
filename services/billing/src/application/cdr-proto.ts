import { cdrs } from '@voltmesh/proto';
import type { CdrRecord, CdrRole } from '../domain/cdr-record.js';
import type { DisputeRecord } from '../domain/reconciliation.js';

export const roleToProto = (role: CdrRole): cdrs.CdrRole => (role === 'CPO' ? cdrs.CdrRole.CDR_ROLE_CPO : cdrs.CdrRole.CDR_ROLE_EMSP);

/** undefined: UNSPECIFIED (both roles). */
export function roleFromProto(role: cdrs.CdrRole): CdrRole | undefined {
  if (role === cdrs.CdrRole.CDR_ROLE_CPO) return 'CPO';
  if (role === cdrs.CdrRole.CDR_ROLE_EMSP) return 'EMSP';
  return undefined;
}

/**
 * A stored CDR as the Cdr message. `pricingJson` overrides the record's: an EMSP-role CDR's
 * pricing is our reconciliation's, stored beside it (a CDR document is never updated).
 */
export function toProtoCdr(record: CdrRecord, pricingJson = record.pricing_json): cdrs.Cdr {
  return {
    role: roleToProto(record.role),
    ocpiJson: record.ocpi_json,
    cpo: { countryCode: record.cpo.country_code, partyId: record.cpo.party_id },
    id: record.id,
    emsp: { countryCode: record.emsp.country_code, partyId: record.emsp.party_id },
    contractId: record.contract_id,
    sessionId: record.session_id,
    currency: record.currency,
    totalCostExclVat: record.total_cost_excl_vat,
    totalCostInclVat: record.total_cost_incl_vat,
    credit: record.credit,
    creditReferenceId: record.credit_reference_id,
    connectionId: record.connection_id,
    createdAt: record.created_at,
    pricingJson,
  };
}

export function toProtoDispute(dispute: DisputeRecord): cdrs.Dispute {
  return {
    id: dispute.key,
    cpo: { countryCode: dispute.cpo.country_code, partyId: dispute.cpo.party_id },
    cdrId: dispute.cdr_id,
    connectionId: dispute.connection_id,
    currency: dispute.currency,
    chargedInclVat: dispute.charged_incl_vat,
    expectedInclVat: dispute.expected_incl_vat,
    differenceInclVat: dispute.difference_incl_vat,
    status: dispute.status === 'OPEN' ? cdrs.DisputeStatus.DISPUTE_STATUS_OPEN : cdrs.DisputeStatus.DISPUTE_STATUS_RESOLVED,
    reason: dispute.reason,
    detailsJson: dispute.details_json,
    openedAt: dispute.opened_at,
  };
}
