import { z } from 'zod';
import { optional } from '../common.js';
import { list } from '../types.js';
import { dateTime211, displayTextSchema, id211, string211 } from './common.js';

/** OCPI 2.1.1 Tokens module (`mod_tokens.md`). */

export const TOKEN_TYPES = ['OTHER', 'RFID'] as const;
export const tokenTypeSchema = z.enum(TOKEN_TYPES);

export const WHITELIST_TYPES = ['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER'] as const;
export const whitelistTypeSchema = z.enum(WHITELIST_TYPES);

/** `Allowed` in 2.1.1 (renamed AllowedType in 2.2), same values. */
export const ALLOWED = ['ALLOWED', 'BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED'] as const;
export const allowedSchema = z.enum(ALLOWED);

const tokenShape = {
  uid: id211(36),
  type: tokenTypeSchema,
  auth_id: id211(36),
  visual_number: optional(string211(64)),
  issuer: string211(64),
  valid: z.boolean(),
  whitelist: whitelistTypeSchema,
  language: optional(z.string().length(2, 'must be an ISO 639-1 language code (2 characters)')),
  last_updated: dateTime211,
};

/** Unique by uid + type within the eMSP; no owner fields (they are in the URL). */
export const tokenSchema = z.object(tokenShape);

/** PATCH: any subset of the Token's fields (2.1.1 does not require `last_updated`). */
export const tokenPatchSchema = z
  .object(tokenShape)
  .partial()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), 'must change at least one field');

/** LocationReferences: 2.1.1 still has `connector_ids` (gone in 2.2). */
export const locationReferencesSchema = z.object({
  location_id: id211(39),
  evse_uids: list(id211(39)),
  connector_ids: list(id211(36)),
});

/** The answer to a real-time authorization: no token, no authorization_reference (2.2 added them). */
export const authorizationInfoSchema = z.object({
  allowed: allowedSchema,
  location: optional(locationReferencesSchema),
  info: optional(displayTextSchema),
});

export type TokenType = z.output<typeof tokenTypeSchema>;
export type Token = z.output<typeof tokenSchema>;
export type TokenPatch = z.output<typeof tokenPatchSchema>;
export type Allowed = z.output<typeof allowedSchema>;
export type LocationReferences = z.output<typeof locationReferencesSchema>;
export type AuthorizationInfo = z.output<typeof authorizationInfoSchema>;
