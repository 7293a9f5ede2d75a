import { z } from 'zod';
import { ocpiDateTime } from '../datetime.js';
import { ciString, ocpiString, optional } from './common.js';
import { tokenTypeSchema } from './locations.js';
import { displayTextSchema, list, objectId } from './types.js';

/** OCPI 2.2.1 §9 (Tokens) and the objects real-time authorization exchanges. */
export const whitelistTypeSchema = z.enum(['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER']);
export const allowedTypeSchema = z.enum(['ALLOWED', 'BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED']);
export const profileTypeSchema = z.enum(['CHEAP', 'FAST', 'GREEN', 'REGULAR']);

export const energyContractSchema = z.object({
  supplier_name: ocpiString(64),
  contract_id: optional(ocpiString(64)),
});

export const tokenSchema = z.object({
  country_code: ciString(2, true),
  party_id: ciString(3, true),
  uid: objectId,
  type: tokenTypeSchema,
  contract_id: ciString(36),
  visual_number: optional(ocpiString(64)),
  issuer: ocpiString(64),
  group_id: optional(ciString(36)),
  valid: z.boolean(),
  whitelist: whitelistTypeSchema,
  language: optional(z.string().regex(/^[a-z]{2}$/, 'must be an ISO 639-1 language code, e.g. en')),
  default_profile_type: optional(profileTypeSchema),
  energy_contract: optional(energyContractSchema),
  last_updated: ocpiDateTime,
});

export const locationReferencesSchema = z.object({
  location_id: objectId,
  evse_uids: list(objectId),
});

export const authorizationInfoSchema = z.object({
  allowed: allowedTypeSchema,
  token: tokenSchema,
  location: optional(locationReferencesSchema),
  authorization_reference: optional(ciString(36)),
  info: optional(displayTextSchema),
});

export type Token = z.output<typeof tokenSchema>;
export type LocationReferences = z.output<typeof locationReferencesSchema>;
export type AuthorizationInfo = z.output<typeof authorizationInfoSchema>;
