import type { Credentials } from '@voltmesh/ocpi';
import type { OwnParty } from '../config.js';

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
