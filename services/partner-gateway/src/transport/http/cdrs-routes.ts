import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OcpiError, OcpiStatus, ocpiSuccess, parseRoutingHeaders } from '@voltmesh/ocpi';
import { readPartnerCdr, receiveCdr, type CdrReceiverDeps } from '../../application/receivers/receive-cdr.js';
import { listCdrsForPartner, type CdrSenderDeps } from '../../application/senders/list-cdrs.js';
import { callerOf, publicRequestUrl } from './route-helpers.js';

const receiverParams = z.object({ country_code: z.string(), party_id: z.string(), cdr_id: z.string() });

/**
 * CDRs in both roles:
 * - eMSP Receiver `/ocpi/2.2.1/emsp/cdrs`: partner CPOs POST the CDRs of our tokens (answered
 *   with `Location: {PUBLIC_URL}/ocpi/2.2.1/emsp/cdrs/{cc}/{pid}/{id}`) and GET them there;
 * - CPO Sender `/ocpi/2.2.1/cpo/cdrs`: partner eMSPs GET pages of our CDRs of their tokens.
 */
export function registerCdrRoutes(app: FastifyInstance, receiver: CdrReceiverDeps, sender: CdrSenderDeps, publicUrl: string): void {
  const config = { auth: 'registered' as const };
  app.post('/ocpi/2.2.1/emsp/cdrs', { config }, async (request, reply) => {
    const { location } = await receiveCdr(receiver, callerOf(request), request.body);
    return reply.header('location', location).send(ocpiSuccess());
  });
  const path = '/ocpi/2.2.1/emsp/cdrs/:country_code/:party_id/:cdr_id';
  app.get(path, { config }, async (request) => {
    const params = receiverParams.parse(request.params);
    return ocpiSuccess(await readPartnerCdr(receiver, callerOf(request), { countryCode: params.country_code, partyId: params.party_id, cdrId: params.cdr_id }));
  });
  // OCPI allows no PUT, PATCH or DELETE of a CDR: say why instead of a bare 404.
  const immutable = async () => {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'CDRs are immutable: POST a credit CDR to correct one', { httpStatus: 405 });
  };
  app.route({ method: ['PUT', 'PATCH', 'DELETE'], url: path, config, handler: immutable });

  app.get('/ocpi/2.2.1/cpo/cdrs', { config }, async (request, reply) => {
    const page = await listCdrsForPartner(sender, callerOf(request), parseRoutingHeaders(request.headers), request.query, publicRequestUrl(publicUrl, request));
    return reply.headers(page.headers).send(ocpiSuccess(page.data));
  });
}
