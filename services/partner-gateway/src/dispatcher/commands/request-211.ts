import * as v211 from '@voltmesh/ocpi/v2_1_1';
import type { CommandType } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import { mapReported } from '../../edge/loss-report.js';
import { commandResponseFrom211, commandTo211, type CommandBody } from '../../edge/v2_1_1/commands.js';
import type { OutboundRequest } from './outbound-request.js';

/**
 * How long we wait for a 2.1.1 CPO's result: its CommandResponse names no timeout, so the
 * 2.2.1 one our model needs is this (a 2.2.1 CPO announces its own).
 */
export const RESULT_WAIT_211_S = 60;

/**
 * Our command for a 2.1.1 CPO: the body in 2.1.1 (losses reported; not expressible, e.g.
 * CANCEL_RESERVATION, is not sent), the response_url on our 2.1.1 tree, where the CPO posts
 * a 2.1.1 CommandResponse, and its answer read back into our model. 2.1.1 has no charging
 * profiles.
 */
export function requestFor211(request: OutboundRequest, type: string, partnerId: string, logger: Logger): OutboundRequest | { problem: string } {
  if (request.module !== 'commands') return { problem: `${type} is not in OCPI 2.1.1, which the CPO speaks` };
  const body = { ...(request.body as Record<string, unknown>) };
  if (typeof body['response_url'] === 'string') body['response_url'] = body['response_url'].replace('/ocpi/2.2.1/emsp/commands/', '/ocpi/2.1.1/emsp/commands/');
  const context = { partner: partnerId, module: 'commands', direction: 'outbound' as const, objectId: type };
  const mapped = mapReported(logger, context, () => commandTo211(type as CommandType, body as CommandBody));
  if ('refused' in mapped) return { problem: `not expressible in OCPI 2.1.1, which the CPO speaks: ${mapped.refused.message}` };
  return {
    ...request,
    body: mapped.value,
    answer: v211.commandResponseSchema.transform((response) => commandResponseFrom211(response, RESULT_WAIT_211_S).value),
  };
}
