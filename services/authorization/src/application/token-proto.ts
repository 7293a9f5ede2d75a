import { invalidArgument } from '@voltmesh/errors';
import { parseOcpiDateTime, tokenSchema, zodErrorMessage, parseJsonText } from '@voltmesh/ocpi';
import { objects, type tokens } from '@voltmesh/proto';
import type { KnownToken, TokenAccount } from '../domain/stored-token.js';

/** A token as the mesh sees it (gRPC replies and TokenChanged). The account rides along: internal only. */
export function toProto(known: KnownToken): tokens.Token {
  const { token, account } = known;
  return {
    party: { countryCode: token.country_code, partyId: token.party_id },
    uid: token.uid,
    type: token.type,
    lastUpdated: token.last_updated,
    owner: known.owner === 'OWN' ? objects.Owner.OWNER_OWN : objects.Owner.OWNER_PARTNER,
    ocpiJson: JSON.stringify(token),
    connectionId: known.connection_id,
    account: account ? accountToProto(account) : undefined,
  };
}

export function accountToProto(account: TokenAccount): tokens.TokenAccount {
  return { validUntil: account.valid_until ?? '', noCredit: account.no_credit, allowedCpoParties: account.allowed_cpo_parties };
}

/** A token announced on authorization.token.v1, parsed again: a Kafka message is input. */
export function fromProto(announced: tokens.Token): KnownToken {
  const parsed = tokenSchema.safeParse(parseJsonText(announced.ocpiJson, 'token.ocpi_json'));
  if (!parsed.success) throw invalidArgument(`token.ocpi_json: ${zodErrorMessage(parsed.error)}`);
  const account = announced.account ? readAccount(announced.account, 'token.account') : undefined;
  return {
    token: parsed.data,
    ...(account ? { account } : {}),
    owner: announced.owner === objects.Owner.OWNER_OWN ? 'OWN' : 'PARTNER',
    connection_id: announced.connectionId,
  };
}

const PARTY = /^([A-Z]{2})\*([A-Z0-9]{3})$/;

/** TokenAccount from a request or event, checked: `valid_until` a date-time, parties `CC*PID`. */
export function readAccount(account: tokens.TokenAccount, field: string): TokenAccount {
  let validUntil: string | undefined;
  if (account.validUntil) {
    const date = parseOcpiDateTime(account.validUntil) ?? parseRfc3339(account.validUntil);
    if (!date) throw invalidArgument(`${field}.valid_until: must be an RFC 3339 date-time, e.g. 2027-01-01T00:00:00Z`);
    validUntil = date.toISOString();
  }
  const parties = account.allowedCpoParties.map((party, index) => {
    const upper = party.trim().toUpperCase();
    if (!PARTY.test(upper)) throw invalidArgument(`${field}.allowed_cpo_parties[${index}]: must be CC*PID, e.g. NL*VLT`);
    return upper;
  });
  return { ...(validUntil ? { valid_until: validUntil } : {}), no_credit: account.noCredit, allowed_cpo_parties: [...new Set(parties)] };
}


/** With an offset (`+02:00`), which OCPI DateTime forbids but an internal RFC 3339 caller may send. */
function parseRfc3339(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
