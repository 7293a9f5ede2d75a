import type { Party } from './command.js';

/**
 * The least our CPO keeps of a session started by a partner eMSP's command: enough to know
 * whose it is when a STOP_SESSION comes. (The full OCPI Session model arrives with its own issue.)
 */
export interface SessionRecord {
  id: string;
  cpo: Party;
  emsp: Party;
  connectionId: string;
  tokenUid: string;
  tokenType: string;
  locationId: string;
  evseUid: string;
  connectorId: string;
  authorizationReference: string;
  status: 'ACTIVE' | 'COMPLETED';
  commandId: string;
  startedAt: string;
  endedAt: string;
}
