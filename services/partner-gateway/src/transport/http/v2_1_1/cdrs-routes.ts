import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OcpiError, OcpiStatus, ocpiSuccess } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import type { TokensClient } from '../../../adapters/tokens-client.js';
import { readPartnerCdr, receiveCdr, type CdrReceiverDeps } from '../../../application/receivers/receive-cdr.js';
import { listCdrsForPartner, type CdrSenderDeps } from '../../../application/senders/list-cdrs.js';
import { cdrFrom211, cdrTo211, connectorRatingOf } from '../../../edge/v2_1_1/cdrs.js';
import { pageLocations, type LocationLookup } from './page-locations.js';
import { callerOf, publicRequestUrl } from '../route-helpers.js';
import { parse211, V211, type Edge211 } from './edge-211.js';
import { tokenOfAuthId } from './token-of-auth-id.js';

const receiverParams = z.object({ country_code: z.string(), party_id: z.string(), cdr_id: z.string() });

/**
 * CDRs for 2.1.1 partners:
 * - eMSP Receiver `POST /ocpi/2.1.1/emsp/cdrs`: a 2.1.1 CDR names no party (the connection's
 *   CPO is its owner) and its driver by `auth_id`; answered with the Location where it is
 *   read back, `GET /ocpi/2.1.1/emsp/cdrs/{cc}/{pid}/{cdr_id}`;
 * - CPO Sender `/ocpi/2.1.1/cpo/cdrs`: pages of ours for the partner's eMSP; a CDR 2.1.1
 *   cannot carry (a credit CDR) is left out and reported, never sent as a charge.
 */
export function registerCdrRoutes211(app: FastifyInstance, edge: Edge211, receiver: CdrReceiverDeps & { ownTokens: Pick<TokensClient, 'findOwnByContractId'> }, sender: CdrSenderDeps & { locations: LocationLookup }, publicUrl: string): void {
  const config = { auth: 'registered' as const };
  app.post(`${V211}/emsp/cdrs`, { config }, async (request, reply) => {
    const caller = callerOf(request);
    const cdr = parse211(v211.cdrSchema, request.body);
    const cpo = caller.connection.roles.find((role) => role.role === 'CPO');
    if (!cpo) throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'CDRs are posted by CPOs: this connection is not a CPO', { httpStatus: 404 });
    const cdrToken = await tokenOfAuthId(receiver.ownTokens, cdr.auth_id);
    const mapped = edge.inbound(request, 'cdrs', cdr.id, () => cdrFrom211(cdr, { countryCode: cpo.countryCode, partyId: cpo.partyId, cdrToken }));
    const { location } = await receiveCdr(receiver, caller, mapped.value, '2.1.1');
    return reply.header('location', location).send(ocpiSuccess(undefined, mapped.message));
  });
  app.get(`${V211}/emsp/cdrs/:country_code/:party_id/:cdr_id`, { config }, async (request) => {
    const params = receiverParams.parse(request.params);
    const cdr = await readPartnerCdr(receiver, callerOf(request), { countryCode: params.country_code, partyId: params.party_id, cdrId: params.cdr_id });
    return ocpiSuccess(edge.outbound(request, 'cdrs', cdr.id, () => cdrTo211(cdr)));
  });

  app.get(`${V211}/cpo/cdrs`, { config }, async (request, reply) => {
    const page = await listCdrsForPartner(sender, callerOf(request), {}, request.query, publicRequestUrl(publicUrl, request));
    const locationOf = await pageLocations(sender.locations, page.data, (cdr) => ({ countryCode: cdr.country_code, partyId: cdr.party_id, id: cdr.cdr_location.id }));
    const data = edge.outboundPage(request, 'cdrs', page.data, (cdr) => cdr.id, (cdr) => {
      const connector = connectorRatingOf(locationOf(cdr), cdr);
      return cdrTo211(cdr, connector ? { connector } : {});
    });
    return reply.headers(page.headers).send(ocpiSuccess(data));
  });
}
