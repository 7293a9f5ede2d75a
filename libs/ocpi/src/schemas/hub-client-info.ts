import { z } from 'zod';
import { ocpiDateTime } from '../datetime.js';
import { ciString } from './common.js';
import { roleSchema } from './credentials.js';

/** OCPI 2.2.1 §12 (HubClientInfo): whether a party behind a hub can be reached. */
export const connectionStatusSchema = z.enum(['CONNECTED', 'OFFLINE', 'PLANNED', 'SUSPENDED']);

export const clientInfoSchema = z.object({
  party_id: ciString(3, true),
  country_code: ciString(2, true),
  role: roleSchema,
  status: connectionStatusSchema,
  last_updated: ocpiDateTime,
});

export type ConnectionStatus = z.output<typeof connectionStatusSchema>;
export type ClientInfo = z.output<typeof clientInfoSchema>;
