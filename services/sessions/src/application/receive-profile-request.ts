import { randomUUID } from 'node:crypto';
import type { OwnParty } from '@voltmesh/config';
import { invalidArgument } from '@voltmesh/errors';
import { formatOcpiDateTime, parseJsonField } from '@voltmesh/ocpi';
import type { chargingProfileService } from '@voltmesh/proto';
import type { StoredCommand } from '../adapters/command-store.js';
import type { SessionStore } from '../adapters/session-store.js';
import { decideProfileRequest, holdsCpoSession, profileRequestSchemas } from '../domain/charging-profile.js';
import { type ChargingProfileResponse } from '@voltmesh/ocpi';
import { isProfileCommand, PROFILE_COMMAND_TYPES } from '../domain/command.js';
import { newCommandRecord } from '../domain/command-fields.js';
import { isFinal, sessionKey } from '../domain/session.js';
import type { CommandWriter } from './command-writer.js';
import { ownParty, requiredParty, requiredText } from './request-fields.js';
import { idField } from './session-fields.js';

export interface ReceiveProfileDeps {
  writer: Pick<CommandWriter, 'create'>;
  sessions: Pick<SessionStore, 'get'>;
  ownParties: readonly OwnParty[];
  now?: () => Date;
  newId?: () => string;
}

export interface ReceivedProfileRequest {
  response: ChargingProfileResponse;
  stored: StoredCommand;
}

/**
 * A partner eMSP's PUT/GET/DELETE of the charging profile of one of our CPO's sessions, handed
 * over by the gateway (which checked the caller, the body or query and the response_url).
 * Decided (decideProfileRequest), stored durably as an INBOUND command and announced before
 * the answer goes back: UNKNOWN_SESSION when the session is not that eMSP's (stored, nothing
 * for the CSMS), REJECTED when it has ended, else ACCEPTED with deadline = now +
 * timeout_seconds, which our CSMS executes from sessions.command.v1.
 */
export async function receivePartnerProfileRequest(deps: ReceiveProfileDeps, request: chargingProfileService.ReceivePartnerProfileRequestRequest): Promise<ReceivedProfileRequest> {
  const connectionId = requiredText(request.connectionId, 'connection_id');
  const type = request.type.toUpperCase();
  if (!isProfileCommand(type)) throw invalidArgument(`type: must be one of ${PROFILE_COMMAND_TYPES.join(', ')}`);
  // Unset means our first CPO party, as everywhere; the gateway names the one addressed.
  const cpo = ownParty(request.cpo, deps.ownParties, 'CPO', 'cpo');
  const sessionId = idField(request.sessionId, 'session_id');
  const emsp = requiredParty(request.emsp, 'emsp');
  const object = parseJsonField(profileRequestSchemas[type], request.ocpiJson, 'ocpi_json');
  if (request.timeoutSeconds < 1) throw invalidArgument('timeout_seconds: must be at least 1');

  const stored = await deps.sessions.get(sessionKey(cpo, sessionId));
  const now = (deps.now ?? (() => new Date()))();
  const decision = decideProfileRequest({
    now,
    timeoutSeconds: request.timeoutSeconds,
    sessionHeld: holdsCpoSession(stored, emsp, connectionId),
    sessionEnded: !!stored?.record && isFinal(stored.record),
  });
  const record = newCommandRecord({ id: (deps.newId ?? randomUUID)(), direction: 'INBOUND', type, connectionId, cpo, emsp, state: decision.state, at: formatOcpiDateTime(now) }, object);
  const created = await deps.writer.create({ ...record, sessionId, responseJson: JSON.stringify(decision.response), deadline: decision.deadline });
  return { response: decision.response, stored: created };
}
