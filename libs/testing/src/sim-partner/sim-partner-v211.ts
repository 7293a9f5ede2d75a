/**
 * The OCPI 2.1.1 shapes the simulated partner speaks in its 2.1.1 mode, written from the
 * 2.1.1 text (ocpi/ocpi release-2.1.1-bugfixes: version_information_endpoint.md,
 * credentials.md, mod_tokens.md, mod_commands.md), not from our libs.
 */

/** The 2.1.1 Credentials object (credentials.md §2.1): one party, no roles. */
export interface Credentials211 {
  token: string;
  url: string;
  business_details: { name: string };
  party_id: string;
  country_code: string;
}

/** The 2.1.1 Endpoint class: no role (one interface per module on a connection). */
export interface Endpoint211 {
  identifier: string;
  url: string;
}

/** The 2.1.1 LocationReferences class (mod_tokens.md §4.2). */
export interface LocationReferences211 {
  location_id: string;
  evse_uids?: string[];
  connector_ids?: string[];
}

/**
 * The modules each role lists. Both have a commands interface: the CPO's takes the commands,
 * the eMSP's takes the asynchronous CommandResponse (mod_commands.md §2.2; the CPO posts it to
 * the command's response_url, which the eMSP chooses).
 */
const MODULES_211: Record<'CPO' | 'EMSP', string[]> = {
  CPO: ['credentials', 'locations', 'sessions', 'cdrs', 'tariffs', 'tokens', 'commands'],
  EMSP: ['credentials', 'locations', 'sessions', 'cdrs', 'tariffs', 'tokens', 'commands'],
};

/** Whether a 2.1.1 party of `role` has the module (2.1.1 has no chargingprofiles, no hubclientinfo). */
export function lists211(role: 'CPO' | 'EMSP', module: string): boolean {
  return MODULES_211[role].includes(module);
}

/** The 2.1.1 TokenType values (mod_tokens.md §4.3). */
export const TOKEN_TYPES_211: readonly string[] = ['OTHER', 'RFID'];

export function endpoints211(role: 'CPO' | 'EMSP', versionRoot: string): Endpoint211[] {
  return MODULES_211[role].map((identifier) => ({ identifier, url: `${versionRoot}/${identifier}/` }));
}

export function credentials211(token: string, url: string, party: { name: string; countryCode: string; partyId: string }): Credentials211 {
  return { token, url, business_details: { name: party.name }, party_id: party.partyId, country_code: party.countryCode };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/**
 * The flat credentials in `body`, or undefined when it is not one: token string(64), url,
 * business_details with a name, party_id string(3), country_code string(2). A 2.2.1 object
 * (roles) is not one.
 */
export function readCredentials211(body: unknown): Credentials211 | undefined {
  if (!isRecord(body)) return undefined;
  const { token, url, business_details: details, party_id: partyId, country_code: countryCode } = body;
  if (!isString(token, 64) || !isString(url, 255) || !isString(partyId, 3) || !isString(countryCode, 2)) return undefined;
  if (!isRecord(details) || typeof details['name'] !== 'string') return undefined;
  return { token, url, business_details: { name: details['name'] }, party_id: partyId, country_code: countryCode };
}

/**
 * The optional LocationReferences of a real-time authorization (card. `?`): none for an empty
 * body, else location_id string(39), evse_uids string(39)*, connector_ids string(36)*.
 */
export function readLocationReferences211(body: unknown): { references?: LocationReferences211 } | { problem: string } {
  if (body === undefined || body === null || body === '') return {};
  if (!isRecord(body) || !isString(body['location_id'], 39)) return { problem: 'LocationReferences needs a location_id' };
  const list = (name: 'evse_uids' | 'connector_ids', max: number): string[] | undefined | false => {
    const value = body[name];
    if (value === undefined) return undefined;
    return Array.isArray(value) && value.every((entry) => isString(entry, max)) ? (value as string[]) : false;
  };
  const evseUids = list('evse_uids', 39);
  const connectorIds = list('connector_ids', 36);
  if (evseUids === false) return { problem: 'evse_uids must be a list of string(39)' };
  if (connectorIds === false) return { problem: 'connector_ids must be a list of string(36)' };
  return {
    references: {
      location_id: body['location_id'],
      ...(evseUids ? { evse_uids: evseUids } : {}),
      ...(connectorIds ? { connector_ids: connectorIds } : {}),
    },
  };
}

/** Required fields of each 2.1.1 command object (mod_commands.md §3.2–3.5); CANCEL_RESERVATION is 2.2. */
const COMMAND_FIELDS_211: Record<string, [string, 'string' | 'object' | 'integer'][]> = {
  RESERVE_NOW: [
    ['response_url', 'string'],
    ['token', 'object'],
    ['expiry_date', 'string'],
    ['reservation_id', 'integer'],
    ['location_id', 'string'],
  ],
  START_SESSION: [
    ['response_url', 'string'],
    ['token', 'object'],
    ['location_id', 'string'],
  ],
  STOP_SESSION: [
    ['response_url', 'string'],
    ['session_id', 'string'],
  ],
  UNLOCK_CONNECTOR: [
    ['response_url', 'string'],
    ['location_id', 'string'],
    ['evse_uid', 'string'],
    ['connector_id', 'string'],
  ],
};

/** Why `body` is not the 2.1.1 object of `command`, or undefined when it is. */
export function commandProblem211(command: string, body: unknown): string | undefined {
  const fields = COMMAND_FIELDS_211[command];
  if (!fields) return `${command} is not a 2.1.1 CommandType`;
  if (!isRecord(body)) return `${command} needs a body`;
  for (const [name, kind] of fields) {
    const value = body[name];
    const fits = kind === 'string' ? typeof value === 'string' && value.length > 0 : kind === 'integer' ? Number.isInteger(value) : isRecord(value);
    if (!fits) return `${command} needs ${name} (${kind})`;
  }
  return undefined;
}
