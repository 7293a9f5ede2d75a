import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidBody, ocpiSuccess, paginationQuerySchema, type Tariff } from '@voltmesh/ocpi';
import { readPartnerTariff, receiveTariffWrite, type TariffReceiverDeps } from '../../application/receivers/receive-tariff.js';
import type { TariffAddress } from '../../application/receivers/tariff-write.js';
import { listOwnPage, type OwnObjectPages } from '../../application/senders/list-own.js';
import { callerOf, publicRequestUrl } from './route-helpers.js';

const receiverParams = z.object({ country_code: z.string(), party_id: z.string(), tariff_id: z.string() });

/**
 * Tariffs in both roles: eMSP Receiver `/ocpi/2.2.1/emsp/tariffs/{cc}/{pid}/{tariff_id}` (GET, PUT,
 * DELETE by the owning partner CPO) and CPO Sender `/ocpi/2.2.1/cpo/tariffs` (pages of ours).
 */
export function registerTariffRoutes(app: FastifyInstance, receiver: TariffReceiverDeps, sender: { tariffs: OwnObjectPages<Tariff>; maxLimit: number }, publicUrl: string): void {
  const config = { auth: 'registered' as const };
  const path = '/ocpi/2.2.1/emsp/tariffs/:country_code/:party_id/:tariff_id';
  app.get(path, { config }, async (request) => ocpiSuccess(await readPartnerTariff(receiver, callerOf(request), tariffAddress(request))));
  app.put(path, { config }, async (request) => {
    await receiveTariffWrite(receiver, callerOf(request), 'PUT', tariffAddress(request), request.body);
    return ocpiSuccess();
  });
  app.delete(path, { config }, async (request) => {
    await receiveTariffWrite(receiver, callerOf(request), 'DELETE', tariffAddress(request));
    return ocpiSuccess();
  });

  const pageQuery = paginationQuerySchema(sender.maxLimit);
  app.get('/ocpi/2.2.1/cpo/tariffs', { config }, async (request, reply) => {
    const query = pageQuery.safeParse(request.query);
    if (!query.success) throw invalidBody(query.error);
    const page = await listOwnPage(sender.tariffs, sender.maxLimit, query.data, publicRequestUrl(publicUrl, request));
    return reply.headers(page.headers).send(ocpiSuccess(page.data));
  });
}

/** The Receiver URL's object address (shared by both OCPI versions' routes). */
export function tariffAddress(request: FastifyRequest): TariffAddress {
  const params = receiverParams.parse(request.params);
  return { countryCode: params.country_code, partyId: params.party_id, tariffId: params.tariff_id };
}
