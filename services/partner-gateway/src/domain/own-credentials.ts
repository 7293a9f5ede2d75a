import { OcpiError, OcpiStatus, type Credentials } from '@voltmesh/ocpi';
import type * as v211 from '@voltmesh/ocpi/v2_1_1';
import type { OwnParty } from '../config.js';
import type { Role211 } from './connection.js';

/** Who we are to partners: our versions URL and the roles we host. */
export interface OwnPlatform {
  publicUrl: string;
  parties: readonly OwnParty[];
  businessName: string;
  businessWebsite?: string;
}

export const versionsUrl = (platform: OwnPlatform): string => `${platform.publicUrl}/ocpi/versions`;
export const versionDetailsUrl = (platform: OwnPlatform, version: string): string => `${platform.publicUrl}/ocpi/${version}`;

/** Our Credentials object, carrying the token the partner must use to call us. */
export function ownCredentials(platform: OwnPlatform, token: string): Credentials {
  return {
    token,
    url: versionsUrl(platform),
    roles: platform.parties.map((party) => ({
      role: party.role as Credentials['roles'][number]['role'],
      country_code: party.countryCode,
      party_id: party.partyId,
      business_details: {
        name: platform.businessName,
        ...(platform.businessWebsite ? { website: platform.businessWebsite } : {}),
      },
    })),
  };
}

/** Our party on a 2.1.1 connection: the first we host in the role opposite the partner's. */
export function ownParty211(platform: OwnPlatform, partnerRole: Role211): OwnParty {
  const ourRole = partnerRole === 'CPO' ? 'EMSP' : 'CPO';
  const party = platform.parties.find((candidate) => candidate.role === ourRole);
  if (!party) throw new OcpiError(OcpiStatus.CLIENT_ERROR, `this platform hosts no ${ourRole} party for a 2.1.1 ${partnerRole} partner`);
  return party;
}

/** Our 2.1.1 Credentials: one flat party, the one the partner deals with (see ownParty211). */
export function ownCredentials211(platform: OwnPlatform, token: string, partnerRole: Role211): v211.Credentials {
  const party = ownParty211(platform, partnerRole);
  return {
    token,
    url: versionsUrl(platform),
    business_details: {
      name: platform.businessName,
      ...(platform.businessWebsite ? { website: platform.businessWebsite } : {}),
    },
    party_id: party.partyId,
    country_code: party.countryCode,
  };
}
