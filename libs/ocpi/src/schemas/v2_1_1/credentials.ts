import { z } from 'zod';
import { ciString, ocpiUrl } from '../common.js';
import { businessDetailsSchema, credentialsTokenSchema } from '../credentials.js';

/**
 * 2.1.1 Credentials: one flat party, no roles (the role of a 2.1.1 connection is agreed
 * outside OCPI; our operators name it on the invitation or connection).
 */
export const credentialsSchema = z.object({
  token: credentialsTokenSchema,
  url: ocpiUrl,
  business_details: businessDetailsSchema,
  party_id: ciString(3, true),
  country_code: ciString(2, true),
});
export type Credentials = z.output<typeof credentialsSchema>;
