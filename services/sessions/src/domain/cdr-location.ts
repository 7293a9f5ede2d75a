import { failedPrecondition, internal } from '@voltmesh/errors';
import { cdrLocationSchema, zodErrorMessage, type CdrLocation, type Connector, type Evse, type Location } from '@voltmesh/ocpi';

export interface ChargingPoint {
  cdrLocation: CdrLocation;
  evse: Evse;
  connector: Connector;
  /** The location's IANA zone; UTC when it names none. */
  timeZone: string;
}

/**
 * Where a session charges, as the CdrLocation snapshot a CDR carries (OCPI 2.2.1 §7.3): the
 * location's address as it is at the start. An EVSE without an evse_id is named by its uid.
 * CdrLocation keeps OCPI's original lengths (address 45, state 20) where a Location may be
 * longer since the 2026 erratum: longer texts are cut to fit, so the CDR stays valid.
 * An EVSE or connector the location does not have is FAILED_PRECONDITION naming it (the CSMS
 * reports a session at a charger the platform does not know).
 */
export function chargingPoint(location: Location, evseUid: string, connectorId: string): ChargingPoint {
  const evse = location.evses.find((candidate) => candidate.uid.toUpperCase() === evseUid.toUpperCase());
  if (!evse) throw failedPrecondition(`evse_uid: location ${location.id} has no EVSE ${evseUid}`);
  const connector = evse.connectors.find((candidate) => candidate.id.toUpperCase() === connectorId.toUpperCase());
  if (!connector) throw failedPrecondition(`connector_id: EVSE ${evse.uid} of location ${location.id} has no connector ${connectorId}`);
  const snapshot = {
    id: location.id,
    name: location.name,
    address: location.address.slice(0, 45),
    city: location.city.slice(0, 45),
    postal_code: location.postal_code,
    state: location.state?.slice(0, 20),
    country: location.country,
    coordinates: location.coordinates,
    evse_uid: evse.uid,
    evse_id: evse.evse_id ?? evse.uid,
    connector_id: connector.id,
    connector_standard: connector.standard,
    connector_format: connector.format,
    connector_power_type: connector.power_type,
  };
  const parsed = cdrLocationSchema.safeParse(snapshot);
  if (!parsed.success) throw internal(`location ${location.id} makes no valid CdrLocation: ${zodErrorMessage(parsed.error)}`);
  return { cdrLocation: parsed.data, evse, connector, timeZone: knownZone(location.time_zone) };
}

/** An IANA zone the runtime knows, else UTC (a zone the price engine could not use would fail every pricing). */
export function knownZone(zone: string | undefined): string {
  if (!zone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}
