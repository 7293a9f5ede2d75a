import { OcpiError, OcpiStatus } from '@voltmesh/ocpi';
import { partyKey, type Connection } from '../../domain/connection.js';

/**
 * A partner writes client-owned objects only under a party it declared in its credentials
 * roles. Anything else is answered 404 (the spec allows it) so a partner cannot even learn
 * whether another party's object exists.
 */
export function assertOwnParty(connection: Connection, countryCode: string, partyId: string): void {
  const key = partyKey(countryCode, partyId);
  if (!connection.roles.some((role) => partyKey(role.countryCode, role.partyId) === key)) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `party ${key} is not one of your roles`, { httpStatus: 404 });
  }
}

/** URL and body must name the same object: a mismatch is 2001 naming the field. */
export function assertSameIds(pairs: Array<[field: string, inUrl: string, inBody: unknown]>): void {
  for (const [field, inUrl, inBody] of pairs) {
    if (inBody === undefined) continue;
    if (typeof inBody !== 'string' || inBody.toUpperCase() !== inUrl.toUpperCase()) {
      throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `${field}: body has ${JSON.stringify(inBody)} but the URL says ${JSON.stringify(inUrl)}`);
    }
  }
}
