import { OcpiError, OcpiStatus, type Credentials } from '@voltmesh/ocpi';
import type * as v211 from '@voltmesh/ocpi/v2_1_1';
import { partyKey, type PartnerRole, type Role211 } from '../domain/connection.js';
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

/** The one party of 2.1.1 credentials, in the role our operator named for the connection (2.1.1 names none). */
export function toPartnerRoles211(credentials: v211.Credentials, role: Role211): PartnerRole[] {
  const business = credentials.business_details;
  return [
    {
      role,
      countryCode: credentials.country_code.toUpperCase(),
      partyId: credentials.party_id.toUpperCase(),
      businessName: business.name,
      ...(business.website ? { businessWebsite: business.website } : {}),
    },
  ];
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
