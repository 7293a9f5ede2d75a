import type { commands } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandDeliveries } from '../../adapters/command-deliveries.js';
import { countDeliveryFailure } from '../../adapters/partner-telemetry.js';
import { PartnerCallError, type PartnerClient } from '../../adapters/partner-client.js';
import type { PartnerAddress, PartnerReach } from '../../application/partner-reach.js';
import { outboundRequest, outboundUrl, type OutboundRequest } from './outbound-request.js';
import { requestFor211 } from './request-211.js';

export interface SendCommandDeps {
  reach: Pick<PartnerReach, 'find'>;
  deliveries: Pick<CommandDeliveries, 'claim' | 'recordOutcome' | 'get'>;
  partners: Pick<PartnerClient, 'call'>;
  /** A command older than this is not sent any more: the sessions service has given up on it (DELIVERY_WAIT_MS). */
  maxAgeMs: number;
  logger: Logger;
  now?: () => number;
}

type Outcome = { responseJson: string } | { notDelivered: string };

/**
 * Sends one of our outbound commands to the partner CPO that hosts its `cpo` party — a
 * command (`POST {commands}/{TYPE}`) or a charging-profile request (`PUT`/`GET`/`DELETE
 * {chargingprofiles}/{session_id}`, see outbound-request.ts) — and turns what happened into
 * the PartnerCommandEvent the sessions service applies: the CPO's CommandResponse or
 * ChargingProfileResponse, or why it was not delivered. At most one call per command: the
 * delivery is claimed before the call and its outcome kept, so a replayed event (a failed
 * publish, a restart) publishes the same outcome again instead of calling twice.
 */
export async function sendCommand(deps: SendCommandDeps, command: commands.Command): Promise<commands.PartnerCommandEvent> {
  const event = (connectionId: string, outcome: Outcome): commands.PartnerCommandEvent => ({
    connectionId,
    commandId: command.id,
    receivedAt: new Date().toISOString(),
    ...outcome,
  });
  const earlier = await deps.deliveries.get(command.id);
  if (earlier) return event(earlier.connection_id, replayed(earlier.outcome));
  const age = (deps.now ?? Date.now)() - Date.parse(command.requestedAt);
  // Too late: the driver was told it failed; sending it now could start a second session.
  if (age > deps.maxAgeMs) return event('', { notDelivered: `not sent: the command waited ${Math.round(age / 1000)} s for the dispatcher` });
  const cpo = command.cpo;
  if (!cpo?.countryCode || !cpo.partyId) return event('', { notDelivered: 'the command names no CPO party' });
  const built = outboundRequest(command);
  if ('problem' in built) return event('', { notDelivered: built.problem });
  const address = await deps.reach.find('CPO', cpo, built.module, 'RECEIVER');
  if (!address) return event('', { notDelivered: `no registered partner offers a ${built.module} endpoint for CPO ${cpo.countryCode}*${cpo.partyId}` });
  const partnerId = address.connection.id;
  const request = address.connection.version === '2.1.1' ? requestFor211(built, command.type, partnerId, deps.logger) : built;
  if ('problem' in request) return event(partnerId, { notDelivered: request.problem });
  if (!(await deps.deliveries.claim(command.id, command.type, partnerId))) {
    // Claimed by another dispatcher in between: it sends and publishes.
    return event(partnerId, replayed((await deps.deliveries.get(command.id))?.outcome));
  }
  const outcome = await call(deps, command, request, address, partnerId);
  await deps.deliveries.recordOutcome(command.id, 'responseJson' in outcome ? { response_json: outcome.responseJson } : { not_delivered: outcome.notDelivered });
  return event(partnerId, outcome);
}

/** What an earlier attempt learned; a call whose outcome was never kept may or may not have reached the CPO. */
function replayed(outcome: { response_json: string } | { not_delivered: string } | undefined): Outcome {
  if (!outcome) return { notDelivered: 'the dispatcher stopped while sending: whether the CPO got the command is unknown' };
  return 'response_json' in outcome ? { responseJson: outcome.response_json } : { notDelivered: outcome.not_delivered };
}

async function call(deps: SendCommandDeps, command: commands.Command, request: OutboundRequest, address: PartnerAddress, partnerId: string): Promise<Outcome> {
  const cpo = command.cpo!;
  try {
    const response = await deps.partners.call({
      method: request.method,
      url: outboundUrl(address.endpoint.url, request),
      token: address.token,
      authMode: address.authMode,
      ...(request.body !== undefined ? { body: request.body } : {}),
      data: request.answer,
      partner: partnerId,
      module: 'commands',
      // 2.1.1 has no routing headers.
      ...(address.connection.version === '2.1.1'
        ? {}
        : {
            routing: {
              ...(command.emsp?.countryCode ? { fromCountryCode: command.emsp.countryCode, fromPartyId: command.emsp.partyId } : {}),
              toCountryCode: cpo.countryCode,
              toPartyId: cpo.partyId,
            },
          }),
    });
    // The spec answers refusals with an OCPI error that may still carry a response (e.g. 2003 + REJECTED).
    const said = response.data ?? (response.statusCode >= 2000 && response.statusCode < 3000 ? request.refusal(response.statusMessage) : undefined);
    if (said === undefined) return { notDelivered: `the CPO answered HTTP ${response.httpStatus}, status_code ${response.statusCode}` };
    return { responseJson: JSON.stringify(said) };
  } catch (error) {
    if (!(error instanceof PartnerCallError)) throw error;
    countDeliveryFailure(partnerId, 'commands');
    deps.logger.warn({ partner: partnerId, command_id: command.id, type: command.type, failure: error.failure }, 'command not delivered');
    return { notDelivered: error.message };
  }
}
