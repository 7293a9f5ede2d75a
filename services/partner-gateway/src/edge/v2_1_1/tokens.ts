import type { AuthorizationInfo, LocationReferences, Token } from '@voltmesh/ocpi';
import type * as v211 from '@voltmesh/ocpi/v2_1_1';
import { LossLog, NotExpressible, type Mapped } from '../mapped.js';
import { foldId211, join } from './locations.js';

/**
 * Tokens between OCPI 2.1.1 (wire) and 2.2.1 (our model). A 2.1.1 Token has no owner fields
 * (the eMSP of the URL/connection owns it), `auth_id` where 2.2.1 has `contract_id`, and only
 * the token types RFID and OTHER.
 */

/** The eMSP that owns a 2.1.1 Token: the party of the connection (or the URL). */
export interface TokenOwner {
  countryCode: string;
  partyId: string;
}

type Patch<T> = { [K in keyof T]?: T[K] };

/**
 * 2.2.1 APP_USER and AD_HOC_USER tokens are sent as OTHER, the only other 2.1.1 type (a loss:
 * the 2.1.1 CPO keys tokens by uid + type, so an eMSP must not reuse a uid across those types).
 */
function tokenFieldsTo211(token: Patch<Token>, prefix: string, log: LossLog): Patch<v211.Token> {
  const out: Patch<v211.Token> = {};
  // country_code/party_id: the 2.1.1 URL (or the connection) names the owner, not the body.
  if (token.uid !== undefined) out.uid = token.uid;
  if (token.type !== undefined) {
    out.type = token.type === 'RFID' ? 'RFID' : 'OTHER';
    if (token.type === 'APP_USER' || token.type === 'AD_HOC_USER') log.lose(join(prefix, 'type'), `${token.type} is not a 2.1.1 TokenType, sent as OTHER`);
  }
  if (token.contract_id !== undefined) out.auth_id = token.contract_id;
  if (token.visual_number !== undefined) out.visual_number = token.visual_number;
  if (token.issuer !== undefined) out.issuer = token.issuer;
  if (token.group_id !== undefined) log.lose(join(prefix, 'group_id'), 'no group_id in 2.1.1');
  if (token.valid !== undefined) out.valid = token.valid;
  if (token.whitelist !== undefined) out.whitelist = token.whitelist;
  if (token.language !== undefined) out.language = token.language;
  if (token.default_profile_type !== undefined) log.lose(join(prefix, 'default_profile_type'), 'no charging preferences in 2.1.1');
  if (token.energy_contract !== undefined) log.lose(join(prefix, 'energy_contract'), 'no energy_contract in 2.1.1');
  if (token.last_updated !== undefined) out.last_updated = token.last_updated;
  return out;
}

const LANGUAGE = /^[a-z]{2}$/;

function tokenFieldsFrom211(token: Patch<v211.Token>, prefix: string, log: LossLog): Patch<Token> {
  const out: Patch<Token> = {};
  if (token.uid !== undefined) out.uid = foldId211(token.uid, 36, join(prefix, 'uid'), log);
  if (token.type !== undefined) out.type = token.type;
  if (token.auth_id !== undefined) out.contract_id = foldId211(token.auth_id, 36, join(prefix, 'auth_id'), log);
  if (token.visual_number !== undefined) out.visual_number = token.visual_number;
  if (token.issuer !== undefined) out.issuer = token.issuer;
  if (token.valid !== undefined) out.valid = token.valid;
  if (token.whitelist !== undefined) out.whitelist = token.whitelist;
  if (token.language !== undefined) {
    // ISO 639-1 codes are lower case; "EN" is still English. Anything else is not a language.
    const language = token.language.toLowerCase();
    if (LANGUAGE.test(language)) out.language = language;
    else log.lose(join(prefix, 'language'), `${token.language} is not an ISO 639-1 code`);
  }
  if (token.last_updated !== undefined) out.last_updated = token.last_updated;
  return out;
}

export function tokenTo211(token: Token): Mapped<v211.Token> {
  const log = new LossLog();
  return log.mapped(tokenFieldsTo211(token, '', log) as v211.Token);
}

/** Maps a Token nested in another object (a command), its losses under `prefix`. */
export function nestedTokenTo211(token: Token, prefix: string, log: LossLog): v211.Token {
  return tokenFieldsTo211(token, prefix, log) as v211.Token;
}

export function tokenFrom211(token: v211.Token, owner: TokenOwner): Mapped<Token> {
  const log = new LossLog();
  return log.mapped(nestedTokenFrom211(token, owner, '', log));
}

export function nestedTokenFrom211(token: v211.Token, owner: TokenOwner, prefix: string, log: LossLog): Token {
  return { country_code: owner.countryCode.toUpperCase(), party_id: owner.partyId.toUpperCase(), ...tokenFieldsFrom211(token, prefix, log) } as Token;
}

const TOKEN_KEYS_221 = [
  'country_code', 'party_id', 'uid', 'type', 'contract_id', 'visual_number', 'issuer', 'group_id', 'valid', 'whitelist', 'language', 'default_profile_type',
  'energy_contract', 'last_updated',
];
const TOKEN_KEYS_211 = ['uid', 'type', 'auth_id', 'visual_number', 'issuer', 'valid', 'whitelist', 'language', 'last_updated'];

function unknownKeys(patch: Record<string, unknown>, known: readonly string[], log: LossLog, version: string): void {
  for (const key of Object.keys(patch)) if (!known.includes(key)) log.lose(key, `not a ${version} Token field`);
}

/** A 2.2.1 Token PATCH body (parsed, partial) for a 2.1.1 CPO: the fields present, renamed. */
export function tokenPatchTo211(patch: Record<string, unknown>): Mapped<Patch<v211.Token>> {
  const log = new LossLog();
  unknownKeys(patch, TOKEN_KEYS_221, log, '2.2.1');
  return log.mapped(tokenFieldsTo211(patch as Patch<Token>, '', log));
}

/** A 2.1.1 Token PATCH body (parsed with v211.tokenPatchSchema) in our model. */
export function tokenPatchFrom211(patch: Record<string, unknown>): Mapped<Patch<Token>> {
  const log = new LossLog();
  unknownKeys(patch, TOKEN_KEYS_211, log, '2.1.1');
  return log.mapped(tokenFieldsFrom211(patch as Patch<v211.Token>, '', log));
}

// ---------------------------------------------------------------------------------------------
// Real-time authorization

function referencesTo211(references: LocationReferences): v211.LocationReferences {
  // No connector_ids: 2.2.1 names EVSEs only, which in 2.1.1 means every connector of them.
  return { location_id: references.location_id, evse_uids: [...references.evse_uids], connector_ids: [] };
}

function referencesFrom211(references: v211.LocationReferences, prefix: string, log: LossLog): LocationReferences {
  return {
    location_id: foldId211(references.location_id, 36, join(prefix, 'location_id'), log),
    evse_uids: references.evse_uids.map((uid, index) => foldId211(uid, 36, join(prefix, `evse_uids[${index}]`), log)),
  };
}

/** The body of a 2.2.1 authorize request for a 2.1.1 eMSP. */
export function locationReferencesTo211(references: LocationReferences): Mapped<v211.LocationReferences> {
  return new LossLog().mapped(referencesTo211(references));
}

/**
 * The body of a 2.1.1 authorize request (a 2.1.1 CPO asking us). Named connectors are a loss:
 * the question becomes the whole EVSE, and the answer (EVSEs only) says so.
 */
export function locationReferencesFrom211(references: v211.LocationReferences): Mapped<LocationReferences> {
  const log = new LossLog();
  references.connector_ids.forEach((id, index) => log.lose(`connector_ids[${index}]`, `connector ${id}: 2.2.1 LocationReferences names EVSEs only`));
  return log.mapped(referencesFrom211(references, '', log));
}

/** Our answer to a 2.1.1 CPO: 2.1.1 has no token and no authorization_reference in it. */
export function authorizationInfoTo211(info: AuthorizationInfo): Mapped<v211.AuthorizationInfo> {
  const log = new LossLog();
  log.lose('token', '2.1.1 AuthorizationInfo carries no Token (the CPO asked by uid)');
  if (info.authorization_reference !== undefined) log.lose('authorization_reference', 'no authorization_reference in 2.1.1; Sessions and CDRs will not carry it');
  return log.mapped({
    allowed: info.allowed,
    location: info.location && referencesTo211(info.location),
    info: info.info && { language: info.info.language, text: info.info.text },
  });
}

/**
 * A 2.1.1 eMSP's answer in our model. 2.2.1 requires the token: the one we asked about
 * (`token`, from the request). An answer that allows named connectors only cannot be said in
 * 2.2.1 without allowing the whole EVSE, so it is NotExpressible (fail closed).
 */
export function authorizationInfoFrom211(info: v211.AuthorizationInfo, token: Token): Mapped<AuthorizationInfo> {
  const log = new LossLog();
  if (info.location !== undefined && info.location.connector_ids.length > 0) {
    throw new NotExpressible([{ field: 'location.connector_ids', reason: 'allowed on named connectors only; 2.2.1 can only allow whole EVSEs' }]);
  }
  return log.mapped({
    allowed: info.allowed,
    token,
    location: info.location && referencesFrom211(info.location, 'location', log),
    info: info.info && { language: info.info.language, text: info.info.text },
  });
}
