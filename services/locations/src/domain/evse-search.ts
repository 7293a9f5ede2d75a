import type { Connector, Evse, Location } from '@voltmesh/ocpi';

export interface EvseQuery {
  latitude: number;
  longitude: number;
  radiusM: number;
  connectorTypes: string[];
  minPowerKw: number;
}

export interface EvseMatch {
  location: Location;
  evse: Evse;
  distanceM: number;
  maxPowerKw: number;
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance (haversine), metres. */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** A box around the point that contains the whole circle, for the store's range query. */
export function boundingBox(query: EvseQuery): { minLat: number; maxLat: number; minLon: number; maxLon: number } {
  const dLat = query.radiusM / 111_320;
  const cos = Math.max(0.01, Math.cos((query.latitude * Math.PI) / 180));
  const dLon = query.radiusM / (111_320 * cos);
  return { minLat: query.latitude - dLat, maxLat: query.latitude + dLat, minLon: query.longitude - dLon, maxLon: query.longitude + dLon };
}

/** kW of a connector: max_electric_power when given, else voltage × amperage (× 3 on three phases). */
export function connectorPowerKw(connector: Connector): number {
  if (connector.max_electric_power !== undefined) return connector.max_electric_power / 1000;
  const phases = connector.power_type === 'AC_3_PHASE' ? 3 : 1;
  return (connector.max_voltage * connector.max_amperage * phases) / 1000;
}

/**
 * AVAILABLE EVSEs of these locations within the radius that have a connector of a wanted type
 * (any when none asked) with at least the wanted power, nearest first. An EVSE's own
 * coordinates win over its location's.
 */
export function matchAvailableEvses(locations: Location[], query: EvseQuery, limit: number): EvseMatch[] {
  const matches: EvseMatch[] = [];
  for (const location of locations) {
    if (!location.publish) continue;
    for (const evse of location.evses) {
      if (evse.status !== 'AVAILABLE') continue;
      const where = evse.coordinates ?? location.coordinates;
      const distance = distanceM(query.latitude, query.longitude, Number(where.latitude), Number(where.longitude));
      if (distance > query.radiusM) continue;
      const fitting = evse.connectors.filter(
        (connector) => (query.connectorTypes.length === 0 || query.connectorTypes.includes(connector.standard)) && connectorPowerKw(connector) >= query.minPowerKw,
      );
      if (fitting.length === 0) continue;
      matches.push({ location, evse, distanceM: distance, maxPowerKw: Math.max(...fitting.map(connectorPowerKw)) });
    }
  }
  return matches.sort((a, b) => a.distanceM - b.distanceM).slice(0, limit);
}
