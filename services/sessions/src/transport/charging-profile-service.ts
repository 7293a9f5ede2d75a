import { unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { chargingProfileService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { StoredCommand } from '../adapters/command-store.js';
import { toProto } from '../application/command-proto.js';
import { getActiveProfile, type GetActiveProfileDeps } from '../application/get-active-profile.js';
import { receivePartnerActiveProfile, type PartnerActiveProfileDeps } from '../application/receive-partner-active-profile.js';
import { receivePartnerProfileRequest, type ReceiveProfileDeps } from '../application/receive-profile-request.js';
import { reportActiveChargingProfile, type ReportActiveProfileDeps } from '../application/report-active-profile.js';
import { clearChargingProfile, getActiveChargingProfile, setChargingProfile, type SendProfileDeps } from '../application/send-profile-request.js';

export interface ChargingProfileServiceDeps {
  send: SendProfileDeps;
  receive: ReceiveProfileDeps;
  report: ReportActiveProfileDeps;
  partnerProfile: PartnerActiveProfileDeps;
  read: GetActiveProfileDeps;
  logger: Logger;
}

/**
 * ChargingProfileService (OCPI 2.2.1 §11): the driver app (our eMSP's requests to partner CPOs),
 * the gateway (partner eMSPs' requests to our CPO, partner CPOs' pushed active profiles) and our
 * CSMS (active profiles). Requests are Commands: see charging_profile_service.proto.
 */
export function chargingProfileServiceBinding(deps: ChargingProfileServiceDeps): GrpcServiceBinding {
  const { logger } = deps;
  const command = (stored: StoredCommand) => ({ command: toProto(stored.command, stored.rev) });
  const implementation: chargingProfileService.ChargingProfileServiceServer = {
    setChargingProfile: unary(logger, async (request: chargingProfileService.SetChargingProfileRequest) => command(await setChargingProfile(deps.send, request))),
    getActiveChargingProfile: unary(logger, async (request: chargingProfileService.GetActiveChargingProfileRequest) => command(await getActiveChargingProfile(deps.send, request))),
    clearChargingProfile: unary(logger, async (request: chargingProfileService.ClearChargingProfileRequest) => command(await clearChargingProfile(deps.send, request))),
    receivePartnerProfileRequest: unary(logger, async (request: chargingProfileService.ReceivePartnerProfileRequestRequest) => {
      const received = await receivePartnerProfileRequest(deps.receive, request);
      return { responseJson: JSON.stringify(received.response), ...command(received.stored) };
    }),
    reportActiveChargingProfile: unary(logger, async (request: chargingProfileService.ReportActiveChargingProfileRequest) => reportActiveChargingProfile(deps.report, request)),
    receivePartnerActiveProfile: unary(logger, async (request: chargingProfileService.ReceivePartnerActiveProfileRequest) => {
      await receivePartnerActiveProfile(deps.partnerProfile, request);
      return {};
    }),
    getActiveProfile: unary(logger, async (request: chargingProfileService.GetActiveProfileRequest) => getActiveProfile(deps.read, request)),
  };
  return { name: 'voltmesh.sessions.v1.ChargingProfileService', definition: chargingProfileService.ChargingProfileServiceService, implementation };
}
