import { commandSchemas, commandTypeSchema, invalidBody, OcpiError, OcpiStatus, type CommandResponse, type CommandType, type Location, type RoutingHeaders } from '@voltmesh/ocpi';
import type { CommandsClient } from '../../adapters/commands-client.js';
import type { StoredToken } from '../../adapters/tokens-client.js';
import { partyKey } from '../../domain/connection.js';
import type { Caller } from '../partner-registers.js';

export interface CommandReceiverDeps {
  commands: Pick<CommandsClient, 'receive'>;
  tokens: { get(countryCode: string, partyId: string, uid: string, type: string): Promise<StoredToken | undefined> };
  locations: { get(countryCode: string, partyId: string, id: string): Promise<Location | undefined> };
  /** Our CPO parties; the first is addressed when the request names none. */
  cpoParties: ReadonlyArray<{ countryCode: string; partyId: string }>;
  /** Why a response_url may not be called (private address, not http), or undefined. */
  refusedUrl(url: string): Promise<string | undefined>;
  /** Seconds we announce in CommandResponse.timeout. */
  timeoutSeconds: number;
  /** Only tokens the eMSP pushed to us may start or reserve (OCPI allows others; the operator chooses). */
  requireKnownTokens: boolean;
}

/**
 * A partner eMSP sends a command to our CPO (OCPI POST {commands}/{command}). Checked before
 * anything reaches our CSMS: the command type and body, the response_url, the token's party
 * (the eMSP's own), the token itself when configured, and the location, EVSE and connector
 * (ours). A refusal is answered with a REJECTED CommandResponse and the status naming why
 * (2003 unknown location, 2004 unknown token, 2001 otherwise); an accepted command is stored
 * by the sessions service before we answer.
 */
export async function receiveCommand(deps: CommandReceiverDeps, caller: Caller, command: string, routing: RoutingHeaders, body: unknown): Promise<CommandResponse> {
  const type = commandTypeSchema.safeParse(command);
  if (!type.success) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `command: ${command} is not one of ${commandTypeSchema.options.join(', ')}`, { httpStatus: 404 });
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  const parsed = commandSchemas[type.data].safeParse(body);
  if (!parsed.success) throw invalidBody(parsed.error);
  const object = parsed.data as CommandObject;

  const urlProblem = await deps.refusedUrl(object.response_url);
  if (urlProblem) throw refused(OcpiStatus.INVALID_PARAMETERS, `response_url: ${urlProblem}`);
  const cpo = addressedCpo(deps, routing);
  const emsp = await senderParty(deps, caller, routing, object);
  if ('location_id' in object && object.location_id) await checkLocation(deps, cpo, type.data, object);

  return deps.commands.receive({
    connectionId: caller.connection.id,
    type: type.data,
    ocpiJson: JSON.stringify(object),
    emsp,
    cpo,
    timeoutSeconds: deps.timeoutSeconds,
  });
}

type CommandObject = {
  response_url: string;
  token?: { country_code: string; party_id: string; uid: string; type: string };
  location_id?: string;
  evse_uid?: string;
  connector_id?: string;
};

function addressedCpo(deps: CommandReceiverDeps, routing: RoutingHeaders): { countryCode: string; partyId: string } {
  if (routing.toCountryCode && routing.toPartyId) {
    const named = deps.cpoParties.find((party) => partyKey(party.countryCode, party.partyId) === partyKey(routing.toCountryCode!, routing.toPartyId!));
    if (!named) throw refused(OcpiStatus.INVALID_PARAMETERS, `header ocpi-to-party-id: ${routing.toCountryCode}*${routing.toPartyId} is not one of our CPO parties`);
    return named;
  }
  const first = deps.cpoParties[0];
  if (!first) throw refused(OcpiStatus.SERVER_ERROR, 'this platform hosts no CPO party');
  return first;
}

/** The eMSP behind the command: its token's party when it carries one, which must be one of the caller's. */
async function senderParty(deps: CommandReceiverDeps, caller: Caller, routing: RoutingHeaders, object: CommandObject): Promise<{ countryCode: string; partyId: string }> {
  const roles = caller.connection.roles;
  const holds = (countryCode: string, partyId: string) => roles.some((role) => partyKey(role.countryCode, role.partyId) === partyKey(countryCode, partyId));
  if (object.token) {
    const { token } = object;
    if (!holds(token.country_code, token.party_id)) {
      throw refused(OcpiStatus.INVALID_PARAMETERS, `token: ${token.country_code}*${token.party_id} is not one of your parties; an eMSP may only use its own tokens`);
    }
    if (deps.requireKnownTokens) {
      const stored = await deps.tokens.get(token.country_code, token.party_id, token.uid, token.type);
      if (!stored || stored.owner !== 'PARTNER' || stored.connectionId !== caller.connection.id) {
        throw refused(OcpiStatus.UNKNOWN_TOKEN, `token: unknown token ${token.uid} (type ${token.type}); push it to our tokens endpoint first`);
      }
    }
    return { countryCode: token.country_code.toUpperCase(), partyId: token.party_id.toUpperCase() };
  }
  if (routing.fromCountryCode && routing.fromPartyId) {
    if (!holds(routing.fromCountryCode, routing.fromPartyId)) throw refused(OcpiStatus.INVALID_PARAMETERS, `header ocpi-from-party-id: ${routing.fromCountryCode}*${routing.fromPartyId} is not one of your roles`);
    return { countryCode: routing.fromCountryCode, partyId: routing.fromPartyId };
  }
  const role = roles.find((candidate) => candidate.role === 'EMSP') ?? roles[0];
  if (!role) throw refused(OcpiStatus.INVALID_PARAMETERS, 'your credentials name no party');
  return { countryCode: role.countryCode.toUpperCase(), partyId: role.partyId.toUpperCase() };
}

/** The location, EVSE and connector must be ours and exist (2003 otherwise, as the spec's sequence shows). */
async function checkLocation(deps: CommandReceiverDeps, cpo: { countryCode: string; partyId: string }, type: CommandType, object: CommandObject): Promise<void> {
  const location = await deps.locations.get(cpo.countryCode, cpo.partyId, object.location_id!);
  if (!location) throw refused(OcpiStatus.UNKNOWN_LOCATION, `location_id: unknown location ${object.location_id}`);
  if (!object.evse_uid) return;
  const evse = location.evses.find((candidate) => candidate.uid.toUpperCase() === object.evse_uid!.toUpperCase());
  if (!evse || evse.status === 'REMOVED') throw refused(OcpiStatus.UNKNOWN_LOCATION, `evse_uid: unknown EVSE ${object.evse_uid} at location ${object.location_id}`);
  if (object.connector_id && !evse.connectors.some((connector) => connector.id.toUpperCase() === object.connector_id!.toUpperCase())) {
    throw refused(OcpiStatus.UNKNOWN_LOCATION, `connector_id: unknown connector ${object.connector_id} on EVSE ${object.evse_uid}`);
  }
  if (type === 'START_SESSION' && !object.connector_id && evse.capabilities.includes('START_SESSION_CONNECTOR_REQUIRED')) {
    throw refused(OcpiStatus.INVALID_PARAMETERS, `connector_id: EVSE ${object.evse_uid} requires a connector to start a session`);
  }
}

/** An OCPI error whose envelope still carries a CommandResponse, as the spec's examples answer. */
function refused(status: number, message: string): OcpiError {
  const response: CommandResponse = { result: 'REJECTED', timeout: 0, message: [{ language: 'en', text: message }] };
  return new OcpiError(status, message, { data: response });
}
