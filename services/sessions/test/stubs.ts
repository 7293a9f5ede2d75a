import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { startGrpcServer, type RunningGrpcServer } from '@voltmesh/grpc';
import type { Token } from '@voltmesh/ocpi';
import { locationService, objects, tokenService, type tokens } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';

const logger = createLogger('sessions-test-stubs', 'silent');

/** TokenService.GetToken standing in for the authorization service: answers the tokens it was given. */
export async function startTokenStub(): Promise<{ address: string; add(token: Token, owner: objects.Owner): void; server: RunningGrpcServer }> {
  const held = new Map<string, tokens.Token>();
  const key = (countryCode: string, partyId: string, uid: string, type: string) => `${countryCode}*${partyId}*${uid}*${type || 'RFID'}`.toUpperCase();
  const implementation = {
    getToken(call: ServerUnaryCall<tokenService.GetTokenRequest, tokenService.GetTokenResponse>, callback: sendUnaryData<tokenService.GetTokenResponse>) {
      const ref = call.request.token;
      const token = held.get(key(ref?.party?.countryCode ?? '', ref?.party?.partyId ?? '', ref?.uid ?? '', ref?.type ?? ''));
      if (!token) return callback({ code: status.NOT_FOUND, details: `unknown token ${ref?.uid}` });
      callback(null, { token });
    },
  } satisfies Partial<tokenService.TokenServiceServer>;
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [{ name: 'voltmesh.authorization.v1.TokenService', definition: tokenService.TokenServiceService, implementation }], logger });
  server.setServing(true);
  return {
    address: `127.0.0.1:${server.port}`,
    server,
    add(token, owner) {
      held.set(key(token.country_code, token.party_id, token.uid, token.type), {
        party: { countryCode: token.country_code, partyId: token.party_id },
        uid: token.uid,
        type: token.type,
        lastUpdated: token.last_updated,
        owner,
        ocpiJson: JSON.stringify(token),
        connectionId: owner === objects.Owner.OWNER_PARTNER ? 'conn-partner' : '',
        account: undefined,
      });
    },
  };
}

export interface EvseStatusCall {
  party: string;
  locationId: string;
  evseUid: string;
  status: string;
  at: string;
}

/** LocationService.ReportEvseStatus standing in for the locations service: records calls, fails on request. */
export async function startLocationStub(): Promise<{ address: string; calls: EvseStatusCall[]; failures: { next: number }; server: RunningGrpcServer }> {
  const calls: EvseStatusCall[] = [];
  const failures = { next: 0 };
  const implementation = {
    reportEvseStatus(call: ServerUnaryCall<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>, callback: sendUnaryData<locationService.ReportEvseStatusResponse>) {
      const request = call.request;
      if (failures.next > 0) {
        failures.next -= 1;
        return callback({ code: status.UNAVAILABLE, details: 'locations is down (test)' });
      }
      calls.push({ party: `${request.party?.countryCode}*${request.party?.partyId}`, locationId: request.locationId, evseUid: request.evseUid, status: request.status, at: request.at });
      callback(null, { changed: true, lastUpdated: request.at });
    },
  } satisfies Partial<locationService.LocationServiceServer>;
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [{ name: 'voltmesh.locations.v1.LocationService', definition: locationService.LocationServiceService, implementation }], logger });
  server.setServing(true);
  return { address: `127.0.0.1:${server.port}`, calls, failures, server };
}
