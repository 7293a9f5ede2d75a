import { credentials } from '@grpc/grpc-js';
import { AppError, internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { locationSchema, parseJsonField, type Location } from '@voltmesh/ocpi';
import { locationService, objects, type locations } from '@voltmesh/proto';

export interface LocationPage {
  items: Location[];
  total: number;
  limit: number;
}

/** The gateway's reads of the locations service, with a deadline on every call. */
export class LocationsClient {
  private readonly client: locationService.LocationServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new locationService.LocationServiceClient(address, credentials.createInsecure(), observedClient);
  }

  async get(countryCode: string, partyId: string, id: string): Promise<Location | undefined> {
    try {
      const reply = await callUnary<locationService.GetLocationRequest, locationService.GetLocationResponse>(
        this.client.getLocation.bind(this.client),
        { party: { countryCode, partyId }, id },
        this.deadlineMs,
      );
      return reply.location ? fromProto(reply.location) : undefined;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** One page of our own locations (the CPO Sender interface). */
  async listOwn(page: { offset: number; limit: number; dateFrom?: string; dateTo?: string }): Promise<LocationPage> {
    const reply = await callUnary<locationService.ListLocationsRequest, locationService.ListLocationsResponse>(
      this.client.listLocations.bind(this.client),
      { owner: objects.Owner.OWNER_OWN, party: undefined, page: { offset: page.offset, limit: page.limit, dateFrom: page.dateFrom ?? '', dateTo: page.dateTo ?? '' } },
      this.deadlineMs,
    );
    return { items: reply.locations.map(fromProto), total: reply.page?.total ?? 0, limit: reply.page?.limit ?? page.limit };
  }

  close(): void {
    this.client.close();
  }
}

/** The service stores only validated locations; a reply that is not one is a server fault. */
function fromProto(location: locations.Location): Location {
  return parseJsonField(locationSchema, location.ocpiJson, `locations service location ${location.id}`, internal);
}
