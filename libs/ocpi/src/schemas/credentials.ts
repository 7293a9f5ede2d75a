import { z } from 'zod';
import { ciString, ocpiString, ocpiUrl, optional } from './common.js';

export const ROLES = ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.output<typeof roleSchema>;

export const imageSchema = z.object({
  url: ocpiUrl,
  thumbnail: optional(ocpiUrl),
  category: z.enum(['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER']),
  type: ciString(4),
  width: optional(z.number().int().min(0).max(99999)),
  height: optional(z.number().int().min(0).max(99999)),
});

export const businessDetailsSchema = z.object({
  name: ocpiString(100).min(1, 'must not be empty'),
  website: optional(ocpiUrl),
  logo: optional(imageSchema),
});

export const credentialsRoleSchema = z.object({
  role: roleSchema,
  business_details: businessDetailsSchema,
  party_id: ciString(3, true),
  country_code: ciString(2, true),
});

export const credentialsTokenSchema = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'must be 1-64 printable ASCII characters without whitespace');

export const credentialsSchema = z
  .object({
    token: credentialsTokenSchema,
    url: ocpiUrl,
    roles: z.array(credentialsRoleSchema).min(1, 'must list at least one role'),
  })
  .superRefine((credentials, ctx) => {
    const seen = new Set<string>();
    credentials.roles.forEach((role, index) => {
      const key = `${role.role} ${role.country_code}*${role.party_id}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['roles', index], message: `duplicate role ${key}` });
      seen.add(key);
    });
  });

/** Optional fields are `T | undefined` once parsed; what we send never carries nulls. */
export type Credentials = z.output<typeof credentialsSchema>;
