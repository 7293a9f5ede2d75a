import { OcpiError, OcpiStatus, type Credentials } from '@voltmesh/ocpi';
import { partyKey, type PartnerRole } from '../domain/connection.js';
import type { GatewayContext } from './context.js';

export function toPartnerRoles(roles: Credentials['roles']): PartnerRole[] {
  return roles.map((role) => ({
    role: role.role,
    countryCode: role.country_code.toUpperCase(),
    partyId: role.party_id.toUpperCase(),
    businessName: role.business_details.name,
    ...(role.business_details.website ? { businessWebsite: role.business_details.website } : {}),
  }));
}

/**
 * A party belongs to one platform: a partner may not claim one of our own parties or one
 * another live connection holds, or it could write objects under someone else's name.
 */
export async function assertPartiesAvailable(context: GatewayContext, roles: PartnerRole[], connectionId: string): Promise<void> {
  const keys = [...new Set(roles.map((role) => partyKey(role.countryCode, role.partyId)))];
  const own = new Set(context.platform.parties.map((party) => partyKey(party.countryCode, party.partyId)));
  const ours = keys.filter((key) => own.has(key));
  if (ours.length > 0) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `roles: party ${ours.join(', ')} is hosted by this platform`);
  }
  const taken = await context.store.partiesHeldElsewhere(keys, connectionId);
  if (taken.length > 0) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `roles: party ${taken.join(', ')} is already registered by another connection`);
  }
}
