import { commandResponseSchema, joinUrl } from '@voltmesh/ocpi';
import type { commands } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandDeliveries } from '../../adapters/command-deliveries.js';
import { PartnerCallError, type PartnerClient } from '../../adapters/partner-client.js';
import type { PartnerReach } from '../../application/partner-reach.js';

export interface SendCommandDeps {
  reach: Pick<PartnerReach, 'find'>;
  deliveries: Pick<CommandDeliveries, 'claim'>;
  partners: Pick<PartnerClient, 'call'>;
  logger: Logger;
}

/**
 * POSTs one of our driver's commands to the partner CPO that hosts its `cpo` party and turns
 * what happened into the PartnerCommandEvent the sessions service applies: the CPO's
 * CommandResponse, or why it was not delivered. Undefined when the command was already sent
 * (a replayed event): at most one POST per command.
 */
export async function sendCommand(deps: SendCommandDeps, command: commands.Command): Promise<commands.PartnerCommandEvent | undefined> {
  const event = (connectionId: string, outcome: { responseJson: string } | { notDelivered: string }): commands.PartnerCommandEvent => ({
    connectionId,
    commandId: command.id,
    receivedAt: new Date().toISOString(),
    ...outcome,
  });
  const cpo = command.cpo;
  if (!cpo?.countryCode || !cpo.partyId) return event('', { notDelivered: 'the command names no CPO party' });
  const address = await deps.reach.find('CPO', cpo, 'commands', 'RECEIVER');
  if (!address) return event('', { notDelivered: `no registered partner offers a commands endpoint for CPO ${cpo.countryCode}*${cpo.partyId}` });
  const partnerId = address.connection.id;
  if (!(await deps.deliveries.claim(command.id, command.type, partnerId))) return undefined;

  let body: unknown;
  try {
    body = JSON.parse(command.ocpiJson) as unknown;
  } catch {
    return event(partnerId, { notDelivered: 'the command body is not JSON' });
  }
  try {
    const response = await deps.partners.call({
      method: 'POST',
      url: joinUrl(address.endpoint.url, command.type),
      token: address.token,
      authMode: address.authMode,
      body,
      data: commandResponseSchema,
      routing: {
        ...(command.emsp?.countryCode ? { fromCountryCode: command.emsp.countryCode, fromPartyId: command.emsp.partyId } : {}),
        toCountryCode: cpo.countryCode,
        toPartyId: cpo.partyId,
      },
    });
    // The spec answers refusals with an OCPI error that may still carry a CommandResponse (e.g. 2003 + REJECTED).
    const said = response.data ?? (response.statusCode >= 2000 && response.statusCode < 3000 ? { result: 'REJECTED' as const, timeout: 0, message: messageOf(response.statusMessage) } : undefined);
    if (!said) return event(partnerId, { notDelivered: `the CPO answered HTTP ${response.httpStatus}, status_code ${response.statusCode}` });
    return event(partnerId, { responseJson: JSON.stringify(said) });
  } catch (error) {
    if (!(error instanceof PartnerCallError)) throw error;
    deps.logger.warn({ partner: partnerId, command_id: command.id, failure: error.failure }, 'command not delivered');
    return event(partnerId, { notDelivered: error.message });
  }
}

const messageOf = (text: string | undefined) => (text ? [{ language: 'en', text: text.slice(0, 512) }] : []);
