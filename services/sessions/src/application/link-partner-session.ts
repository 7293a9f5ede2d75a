import { z } from 'zod';
import { invalidArgument } from '@voltmesh/errors';
import { zodErrorMessage, parseJsonText } from '@voltmesh/ocpi';
import type { sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandStore } from '../adapters/command-store.js';
import { partyKey } from '../domain/command.js';
import { linkSession } from '../domain/command-transitions.js';
import type { CommandWriter } from './command-writer.js';

/** The little of a partner Session (PUT or PATCH) that linking reads; the gateway validated the rest. */
const sessionReferenceSchema = z.object({
  id: z.string().max(36).optional(),
  country_code: z.string().max(2).optional(),
  party_id: z.string().max(3).optional(),
  authorization_reference: z.string().max(36).nullish(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A partner CPO pushed a session of one of our tokens (gateway.partner-session.v1). When its
 * authorization_reference is one of our START_SESSION / RESERVE_NOW commands (the reference is
 * the command id), the command learns its session, whatever its state. A session from another
 * CPO or connection than the command's is not linked (logged): the reference is a secret
 * between us and that CPO.
 */
export async function linkPartnerSession(
  deps: { store: Pick<CommandStore, 'get'>; writer: Pick<CommandWriter, 'update'>; logger: Logger },
  write: sessions.PartnerSessionWrite,
  now: () => Date = () => new Date(),
): Promise<void> {
  const parsed = sessionReferenceSchema.safeParse(parseJsonText(write.ocpiJson, 'PartnerSessionWrite.ocpi_json'));
  if (!parsed.success) throw invalidArgument(`PartnerSessionWrite.ocpi_json: ${zodErrorMessage(parsed.error)}`);
  const reference = parsed.data.authorization_reference?.toLowerCase();
  // References from real-time authorization (or other platforms) are not command ids.
  if (!reference || !UUID.test(reference)) return;
  const sessionId = (write.sessionId || parsed.data.id || '').toUpperCase();
  if (!sessionId) throw invalidArgument('PartnerSessionWrite: session_id and ocpi_json.id are both empty');

  const stored = await deps.store.get(reference);
  if (!stored) return;
  const command = stored.command;
  const cpo = write.party ?? (parsed.data.country_code && parsed.data.party_id ? { countryCode: parsed.data.country_code, partyId: parsed.data.party_id } : undefined);
  const otherCpo = cpo && partyKey(cpo) !== partyKey(command.cpo);
  const otherConnection = command.connectionId && write.connectionId && command.connectionId !== write.connectionId;
  if (otherCpo || otherConnection) {
    deps.logger.warn({ command_id: command.id, session_id: sessionId, connection_id: write.connectionId }, 'partner session names a command of another CPO; not linked');
    return;
  }
  await deps.writer.update(command.id, (current) => linkSession(current, sessionId, now()));
}
