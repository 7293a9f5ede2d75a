import type { z } from 'zod';
import { activeChargingProfileResultSchema, chargingProfileResultSchema, clearProfileResultSchema, commandResultSchema, commandTypeSchema, isProfileCommand } from '@voltmesh/ocpi';

/*
 * The command machinery (one Command store, sessions.command.v1, command_deliveries) carries
 * two OCPI modules: Commands (§10) and ChargingProfiles (§11), whose requests are Commands of
 * the types in PROFILE_COMMAND_TYPES (proto/voltmesh/sessions/v1/charging_profile_service.proto).
 */

/** Which OCPI module a command type belongs to; undefined for a type neither knows. */
export function moduleOfCommand(type: string): 'commands' | 'chargingprofiles' | undefined {
  if (isProfileCommand(type)) return 'chargingprofiles';
  return commandTypeSchema.safeParse(type).success ? 'commands' : undefined;
}

/**
 * The result a CPO posts to the response_url of a command of this type: a CommandResult, or
 * a ChargingProfileResult / ActiveChargingProfileResult / ClearProfileResult. Undefined for
 * a type neither module knows.
 */
export function resultSchemaOf(type: string): z.ZodType | undefined {
  switch (type) {
    case 'SET_CHARGING_PROFILE':
      return chargingProfileResultSchema;
    case 'GET_ACTIVE_CHARGING_PROFILE':
      return activeChargingProfileResultSchema;
    case 'CLEAR_PROFILE':
      return clearProfileResultSchema;
    default:
      return moduleOfCommand(type) === 'commands' ? commandResultSchema : undefined;
  }
}
