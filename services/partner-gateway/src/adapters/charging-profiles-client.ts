import { credentials } from '@grpc/grpc-js';
import { internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { parseJsonField } from '@voltmesh/ocpi';
import { chargingProfileService } from '@voltmesh/proto';
import { chargingProfileResponseSchema, type ActiveChargingProfile, type ChargingProfileResponse } from '@voltmesh/ocpi';
import type { ProfileCommandType } from '@voltmesh/ocpi';
import type { Party } from './sessions-client.js';

/** A partner eMSP's PUT, GET or DELETE of a profile on one of our CPO's sessions, validated. */
export interface PartnerProfileRequest {
  connectionId: string;
  type: ProfileCommandType;
  cpo: Party;
  sessionId: string;
  emsp: Party;
  /** SetChargingProfile, `{duration, response_url}` or `{response_url}`. */
  ocpiObject: unknown;
  timeoutSeconds: number;
}

/** A partner CPO's ActiveChargingProfile for one of our drivers' sessions at its chargers. */
export interface PartnerActiveProfile {
  connectionId: string;
  cpo: Party;
  sessionId: string;
  profile: ActiveChargingProfile;
}

/**
 * The gateway's calls to the sessions service's ChargingProfileService, with a deadline on
 * every call. Party codes and session ids are CiStrings: sent upper case, as the sessions
 * service keys them.
 */
export class ChargingProfilesClient {
  private readonly client: chargingProfileService.ChargingProfileServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new chargingProfileService.ChargingProfileServiceClient(address, credentials.createInsecure(), observedClient);
  }

  /** Hands a partner eMSP's profile request to our CPO; answers the ChargingProfileResponse once it is stored. */
  async receiveRequest(request: PartnerProfileRequest): Promise<ChargingProfileResponse> {
    const reply = await callUnary<chargingProfileService.ReceivePartnerProfileRequestRequest, chargingProfileService.ReceivePartnerProfileRequestResponse>(
      this.client.receivePartnerProfileRequest.bind(this.client),
      {
        connectionId: request.connectionId,
        type: request.type,
        cpo: upper(request.cpo),
        sessionId: request.sessionId.toUpperCase(),
        emsp: upper(request.emsp),
        ocpiJson: JSON.stringify(request.ocpiObject),
        timeoutSeconds: request.timeoutSeconds,
      },
      this.deadlineMs,
    );
    return parseJsonField(chargingProfileResponseSchema, reply.responseJson, 'sessions service ChargingProfileResponse', internal);
  }

  /** Stores a partner CPO's ActiveChargingProfile; NOT_FOUND (unknown session, or not this CPO's) comes back as an AppError. */
  async receiveActiveProfile(request: PartnerActiveProfile): Promise<void> {
    await callUnary<chargingProfileService.ReceivePartnerActiveProfileRequest, chargingProfileService.ReceivePartnerActiveProfileResponse>(
      this.client.receivePartnerActiveProfile.bind(this.client),
      {
        connectionId: request.connectionId,
        cpo: upper(request.cpo),
        sessionId: request.sessionId.toUpperCase(),
        activeProfileJson: JSON.stringify(request.profile),
      },
      this.deadlineMs,
    );
  }

  close(): void {
    this.client.close();
  }
}

const upper = (party: Party): Party => ({ countryCode: party.countryCode.toUpperCase(), partyId: party.partyId.toUpperCase() });
