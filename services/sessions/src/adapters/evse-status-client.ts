import { credentials } from '@grpc/grpc-js';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { locationService } from '@voltmesh/proto';
import type { PendingEvseStatus } from '../domain/reservation.js';

/** Reports reserved and released EVSEs to the locations service (LocationService.ReportEvseStatus). */
export class EvseStatusClient {
  private readonly client: locationService.LocationServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new locationService.LocationServiceClient(address, credentials.createInsecure(), observedClient);
  }

  async report(status: PendingEvseStatus): Promise<void> {
    await callUnary<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>(
      this.client.reportEvseStatus.bind(this.client),
      { party: status.cpo, locationId: status.locationId, evseUid: status.evseUid, status: status.status, at: status.at },
      this.deadlineMs,
    );
  }

  close(): void {
    this.client.close();
  }
}
