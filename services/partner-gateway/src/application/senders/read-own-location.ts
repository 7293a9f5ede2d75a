import { OcpiError, OcpiStatus, type Connector, type Evse, type Location } from '@voltmesh/ocpi';
import type { OwnParty } from '../../config.js';
import type { OwnObjectPages } from './list-own.js';

export interface LocationSenderDeps {
  locations: OwnObjectPages<Location> & { get(countryCode: string, partyId: string, id: string): Promise<Location | undefined> };
  /** Our CPO parties: whose locations the Sender interface serves. */
  cpoParties: OwnParty[];
  maxLimit: number;
}

/** One of our locations, EVSEs or connectors, looked up under each of our CPO parties. */
export async function readOwnLocation(deps: LocationSenderDeps, locationId: string, evseUid?: string, connectorId?: string): Promise<Location | Evse | Connector> {
  for (const party of deps.cpoParties) {
    const location = await deps.locations.get(party.countryCode, party.partyId, locationId);
    if (!location?.publish) continue;
    if (evseUid === undefined) return location;
    const evse = location.evses.find((candidate) => candidate.uid.toUpperCase() === evseUid.toUpperCase());
    if (!evse) throw unknown(`unknown EVSE ${evseUid} in location ${locationId}`);
    if (connectorId === undefined) return evse;
    const connector = evse.connectors.find((candidate) => candidate.id.toUpperCase() === connectorId.toUpperCase());
    if (!connector) throw unknown(`unknown connector ${connectorId} on EVSE ${evseUid}`);
    return connector;
  }
  throw unknown(`unknown location ${locationId}`);
}

const unknown = (message: string): OcpiError => new OcpiError(OcpiStatus.UNKNOWN_LOCATION, message, { httpStatus: 404 });
