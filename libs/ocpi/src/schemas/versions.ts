import { z } from 'zod';
import { ocpiUrl } from './common.js';

export const VERSION_NUMBERS = ['2.0', '2.1', '2.1.1', '2.2', '2.2.1', '2.3.0'] as const;
export const MODULE_IDS = ['cdrs', 'chargingprofiles', 'commands', 'credentials', 'hubclientinfo', 'locations', 'sessions', 'tariffs', 'tokens'] as const;
export type ModuleId = (typeof MODULE_IDS)[number];

/** A partner may list versions we do not know (e.g. a future one): kept as strings, ignored when picking. */
export const versionSchema = z.object({ version: z.string().min(1).max(10), url: ocpiUrl });
export type Version = z.output<typeof versionSchema>;

export const interfaceRoleSchema = z.enum(['SENDER', 'RECEIVER']);

/** Custom module ids (e.g. `nltnm-tokens`) are allowed between partners that agreed: accept any id. */
export const endpointSchema = z.object({
  identifier: z.string().min(1).max(50),
  role: interfaceRoleSchema,
  url: ocpiUrl,
});
export type Endpoint = z.output<typeof endpointSchema>;

export const versionDetailsSchema = z.object({
  version: z.string().min(1).max(10),
  endpoints: z.array(endpointSchema).min(1, 'must list at least one endpoint'),
});
export type VersionDetails = z.output<typeof versionDetailsSchema>;
