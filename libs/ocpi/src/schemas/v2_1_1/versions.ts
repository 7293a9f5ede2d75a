import { z } from 'zod';
import { ocpiUrl } from '../common.js';

/**
 * 2.1.1 version details: an endpoint is a module id and a URL, without the interface role of
 * 2.2 (a 2.1.1 platform has one role per connection, so a module has one URL).
 */
export const endpointSchema = z.object({
  identifier: z.string().min(1).max(50),
  url: ocpiUrl,
});
export type Endpoint = z.output<typeof endpointSchema>;

export const versionDetailsSchema = z.object({
  version: z.string().min(1).max(10),
  endpoints: z.array(endpointSchema).min(1, 'must list at least one endpoint'),
});
export type VersionDetails = z.output<typeof versionDetailsSchema>;
