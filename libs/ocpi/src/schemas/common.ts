import { z } from 'zod';

/** OCPI optional: absent or null, both read as absent. */
export const optional = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();

/** string(n): printable, no control characters. */
export const ocpiString = (max: number) =>
  z.string().max(max, `must be at most ${max} characters`).refine((value) => ![...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f), 'must not contain control characters');

/** CiString(n): printable ASCII, compared case-insensitively, so normalised to upper case. */
export const ciString = (length: number, exact = false) =>
  z
    .string()
    .regex(/^[\x20-\x7e]*$/, 'must be printable ASCII')
    .refine((value) => (exact ? value.length === length : value.length <= length && value.length > 0), exact ? `must be ${length} characters` : `must be 1 to ${length} characters`)
    .transform((value) => value.toUpperCase());

/** URL: string(255), http(s). */
export const ocpiUrl = z
  .string()
  .max(255, 'must be at most 255 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');
