import { partiesWithRole, type OwnParty } from '@voltmesh/config';
import { failedPrecondition, invalidArgument } from '@voltmesh/errors';
import { commandSchemas, tokenTypeSchema, zodErrorMessage, type CommandType } from '@voltmesh/ocpi';
import type { common } from '@voltmesh/proto';
import { partyKey, type Party } from '../domain/command.js';
import type { OcpiCommandObject } from '../domain/command-fields.js';

/** Parsing of request fields: every failure is INVALID_ARGUMENT naming the field. */

/** A PartyRef that must be set: `CC` + 3 characters, upper-cased. */
export function requiredParty(ref: common.PartyRef | undefined, field: string): Party {
  if (!ref?.countryCode && !ref?.partyId) throw invalidArgument(`${field}: required`);
  if (!/^[A-Za-z]{2}$/.test(ref.countryCode)) throw invalidArgument(`${field}.country_code: must be 2 letters`);
  if (!/^[A-Za-z0-9]{3}$/.test(ref.partyId)) throw invalidArgument(`${field}.party_id: must be 3 letters or digits`);
  return { countryCode: ref.countryCode.toUpperCase(), partyId: ref.partyId.toUpperCase() };
}

/** One of our own parties with `role`; unset means the first one configured. */
export function ownParty(ref: common.PartyRef | undefined, ownParties: readonly OwnParty[], role: 'EMSP' | 'CPO', field: string): Party {
  const ours = partiesWithRole(ownParties, role).map((party): Party => ({ countryCode: party.countryCode, partyId: party.partyId }));
  if (!ref?.countryCode && !ref?.partyId) {
    const first = ours[0];
    if (!first) throw failedPrecondition(`this platform hosts no ${role} party (OWN_PARTIES)`);
    return first;
  }
  const party = requiredParty(ref, field);
  if (!ours.some((own) => partyKey(own) === partyKey(party))) throw invalidArgument(`${field}: ${partyKey(party)} is not one of our ${role} parties`);
  return party;
}

export function requiredText(value: string, field: string): string {
  if (!value) throw invalidArgument(`${field}: required`);
  return value;
}

/** OCPI TokenType; empty means RFID (as in OCPI URLs). */
export function tokenType(value: string, field: string): string {
  if (!value) return 'RFID';
  const parsed = tokenTypeSchema.safeParse(value.toUpperCase());
  if (!parsed.success) throw invalidArgument(`${field}: must be one of ${tokenTypeSchema.options.join(', ')}`);
  return parsed.data;
}

/** Validates an OCPI command object with its type's schema; `field` prefixes the path of the first problems. */
export function parseCommandObject(type: CommandType, body: unknown, field?: string): OcpiCommandObject {
  const parsed = commandSchemas[type].safeParse(body);
  if (!parsed.success) throw invalidArgument(field ? `${field}: ${zodErrorMessage(parsed.error)}` : zodErrorMessage(parsed.error));
  return parsed.data;
}

