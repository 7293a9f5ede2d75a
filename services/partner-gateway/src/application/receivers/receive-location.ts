import { OcpiError, OcpiStatus, type Connector, type Evse, type Location } from '@voltmesh/ocpi';
import type { IngressPublisher } from '../../adapters/ingress-publisher.js';
import type { TtlCache } from '../../adapters/ttl-cache.js';
import type { Caller } from '../partner-registers.js';
import { findWritten, type WrittenLookup } from './find-written.js';
import { parseLocationWrite, type LocationAddress } from './location-write.js';
import { assertOwnParty } from './party-scope.js';

/** What the eMSP Receiver use cases need: reads of stored locations and the ingress topic. */
export interface LocationReceiverDeps {
  locations: { get(countryCode: string, partyId: string, id: string): Promise<Location | undefined> };
  ingress: Pick<IngressPublisher, 'locationWrite'>;
  /** Finding what a write needs (a PUT just before it may still be on its way through Kafka). */
  written: WrittenLookup;
  /**
   * Locations seen to exist lately: a status PATCH stream would otherwise read each one every
   * time. OCPI never deletes a location, EVSE or connector (they become REMOVED), so a positive
   * answer stays true; a miss is always checked against the service.
   */
  known: Pick<TtlCache<Location>, 'get' | 'set'>;
}

/**
 * A partner CPO pushes a location, EVSE or connector (PUT or PATCH). Validated, checked
 * against what is stored where the write needs an existing object (2003 otherwise, never
 * half a location), then published; answered only after Kafka acknowledged it.
 */
export async function receiveLocationWrite(deps: LocationReceiverDeps, caller: Caller, method: 'PUT' | 'PATCH', address: LocationAddress, body: unknown): Promise<void> {
  const write = parseLocationWrite(caller.connection, method, address, body);
  const needsLocation = method === 'PATCH' || write.level !== 'location';
  if (needsLocation) await requireExisting(deps, address, method === 'PATCH');
  await deps.ingress.locationWrite(caller.connection.id, write, caller.correlationId);
}

/** A partner CPO reads back one of its own objects. */
export async function readPartnerLocation(deps: LocationReceiverDeps, caller: Caller, address: LocationAddress): Promise<Location | Evse | Connector> {
  assertOwnParty(caller.connection, address.countryCode, address.partyId);
  const location = await deps.locations.get(address.countryCode, address.partyId, address.locationId);
  return pick(location, address, true);
}

async function requireExisting(deps: LocationReceiverDeps, address: LocationAddress, wholeTarget: boolean): Promise<void> {
  const key = `${address.countryCode}*${address.partyId}*${address.locationId}`.toUpperCase();
  const cached = deps.known.get(key);
  if (cached && whyMissing(cached, address, wholeTarget) === undefined) return;
  let last: Location | undefined;
  const find = async () => {
    last = await deps.locations.get(address.countryCode, address.partyId, address.locationId);
    if (last) deps.known.set(key, last);
    return last && whyMissing(last, address, wholeTarget) === undefined ? last : undefined;
  };
  await findWritten(deps.written, find, () => whyMissing(last, address, wholeTarget), `location ${address.locationId}${address.evseUid === undefined ? '' : ` EVSE ${address.evseUid}`}`);
}

/** The error `pick` answers for what the address names (undefined when it is there). */
function whyMissing(location: Location | undefined, address: LocationAddress, wholeTarget: boolean): unknown {
  try {
    pick(location, address, wholeTarget);
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * The object an address names. With `wholeTarget` false (a PUT of a child), only the parents
 * must exist: the PUT creates the child itself.
 */
function pick(location: Location | undefined, address: LocationAddress, wholeTarget: boolean): Location | Evse | Connector {
  if (!location) throw unknown(`unknown location ${address.locationId}`);
  if (address.evseUid === undefined) return location;
  const evse = location.evses.find((candidate) => same(candidate.uid, address.evseUid));
  if (!evse) {
    if (!wholeTarget && address.connectorId === undefined) return location;
    throw unknown(`unknown EVSE ${address.evseUid} in location ${address.locationId}`);
  }
  if (address.connectorId === undefined) return evse;
  const connector = evse.connectors.find((candidate) => same(candidate.id, address.connectorId));
  if (!connector) {
    if (!wholeTarget) return evse;
    throw unknown(`unknown connector ${address.connectorId} on EVSE ${address.evseUid}`);
  }
  return connector;
}

const same = (a: string, b: string | undefined): boolean => a.toUpperCase() === b?.toUpperCase();
const unknown = (message: string): OcpiError => new OcpiError(OcpiStatus.UNKNOWN_LOCATION, message, { httpStatus: 404 });
