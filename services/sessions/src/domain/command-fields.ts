import type { AnyCommandType, CommandRecord } from './command.js';

/** The fields of any parsed OCPI command object (StartSession, StopSession, ...) the service routes on. */
export interface OcpiCommandObject {
  response_url: string;
  session_id?: string | undefined;
  authorization_reference?: string | undefined;
  location_id?: string | undefined;
  evse_uid?: string | undefined;
  connector_id?: string | undefined;
  reservation_id?: string | undefined;
  expiry_date?: string | undefined;
  token?: { uid: string; type: string; country_code: string; party_id: string } | undefined;
}

type NewCommand = Pick<CommandRecord, 'id' | 'direction' | 'connectionId' | 'cpo' | 'emsp' | 'state'> & { type: AnyCommandType; at: string };

/** A command's record from its validated OCPI object, before anybody answered it. */
export function newCommandRecord(fields: NewCommand, object: OcpiCommandObject): CommandRecord {
  const { at, ...rest } = fields;
  return {
    ...rest,
    ocpiJson: JSON.stringify(object),
    responseJson: '',
    resultJson: '',
    requestedAt: at,
    deadline: '',
    updatedAt: at,
    sessionId: object.session_id ?? '',
    authorizationReference: object.authorization_reference ?? '',
    locationId: object.location_id ?? '',
    evseUid: object.evse_uid ?? '',
    connectorId: object.connector_id ?? '',
    reservationId: object.reservation_id ?? '',
    tokenUid: object.token?.uid ?? '',
    tokenType: object.token?.type ?? '',
    expiryDate: object.expiry_date ?? '',
  };
}
