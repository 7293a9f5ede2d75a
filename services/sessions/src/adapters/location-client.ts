import { credentials } from '@grpc/grpc-js';
import { AppError, internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { locationSchema, parseJsonField, type Location } from '@voltmesh/ocpi';
import { locationService } from '@voltmesh/proto';
import type { Party } from '../domain/command.js';

/** Reads locations from the locations service (LocationService.GetLocation), with a deadline on every call. */
export class LocationClient {
  private readonly client: locationService.LocationServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new locationService.LocationServiceClient(address, credentials.createInsecure(), observedClient);
  }

  /** The location as its OCPI object; undefined when the service holds none. Other failures pass through. */
  async find(party: Party, id: string): Promise<Location | undefined> {
    let reply: locationService.GetLocationResponse;
    try {
      reply = await callUnary<locationService.GetLocationRequest, locationService.GetLocationResponse>(this.client.getLocation.bind(this.client), { party, id }, this.deadlineMs);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
    if (!reply.location) throw internal('locations service answered GetLocation without a location');
    return parseJsonField(locationSchema, reply.location.ocpiJson, `locations service location ${id}`, internal);
  }

  close(): void {
    this.client.close();
  }
}
