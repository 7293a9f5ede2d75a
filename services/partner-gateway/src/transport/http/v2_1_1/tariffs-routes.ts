import type { FastifyInstance } from 'fastify';
import { ocpiSuccess, paginationQuerySchema, type Tariff } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { readPartnerTariff, receiveTariffWrite, tariffToPatch, type TariffReceiverDeps } from '../../../application/receivers/receive-tariff.js';
import { listOwnPage, type OwnObjectPages } from '../../../application/senders/list-own.js';
import { tariffFrom211, tariffPatchFrom211, tariffTo211 } from '../../../edge/v2_1_1/tariffs.js';
import { callerOf, publicRequestUrl } from '../route-helpers.js';
import { tariffAddress } from '../tariffs-routes.js';
import { parse211, V211, withLastUpdated, type Edge211 } from './edge-211.js';


/**
 * Tariffs for 2.1.1 partners: eMSP Receiver `/ocpi/2.1.1/emsp/tariffs/{cc}/{pid}/{tariff_id}`
 * (GET, PUT, PATCH, DELETE) and CPO Sender `/ocpi/2.1.1/cpo/tariffs`. 2.1.1 still PATCHes
 * tariffs (2.2 dropped it): the patch is applied to the stored tariff and goes on as a PUT.
 * A tariff of ours that 2.1.1 cannot price the same is left out of the pages, never sent wrong.
 */
export function registerTariffRoutes211(app: FastifyInstance, edge: Edge211, receiver: TariffReceiverDeps, sender: { tariffs: OwnObjectPages<Tariff>; maxLimit: number }, publicUrl: string): void {
  const config = { auth: 'registered' as const };
  const path = `${V211}/emsp/tariffs/:country_code/:party_id/:tariff_id`;
  app.get(path, { config }, async (request) => {
    const at = tariffAddress(request);
    const tariff = await readPartnerTariff(receiver, callerOf(request), at);
    return ocpiSuccess(edge.outbound(request, 'tariffs', at.tariffId, () => tariffTo211(tariff)));
  });
  app.put(path, { config }, async (request) => {
    const at = tariffAddress(request);
    const mapped = edge.inbound(request, 'tariffs', at.tariffId, () => tariffFrom211(parse211(v211.tariffSchema, request.body), { countryCode: at.countryCode, partyId: at.partyId }));
    await receiveTariffWrite(receiver, callerOf(request), 'PUT', at, mapped.value);
    return ocpiSuccess(undefined, mapped.message);
  });
  app.patch(path, { config }, async (request) => {
    const at = tariffAddress(request);
    const mapped = edge.inbound(request, 'tariffs', at.tariffId, () => tariffPatchFrom211(parse211(v211.tariffPatchSchema, request.body)));
    const stored = await tariffToPatch(receiver, callerOf(request), at);
    // The patch's last_updated, else now: never the stored one, which would make the PUT stale.
    const patched: Tariff = { ...stored, ...definedFields(mapped.value), ...withLastUpdated({ last_updated: mapped.value.last_updated }) };
    await receiveTariffWrite(receiver, callerOf(request), 'PUT', at, patched);
    return ocpiSuccess(undefined, mapped.message);
  });
  app.delete(path, { config }, async (request) => {
    await receiveTariffWrite(receiver, callerOf(request), 'DELETE', tariffAddress(request));
    return ocpiSuccess();
  });

  const pageQuery = paginationQuerySchema(sender.maxLimit);
  app.get(`${V211}/cpo/tariffs`, { config }, async (request, reply) => {
    const page = await listOwnPage(sender.tariffs, sender.maxLimit, parse211(pageQuery, request.query), publicRequestUrl(publicUrl, request));
    const data = edge.outboundPage(request, 'tariffs', page.data, (tariff) => tariff.id, tariffTo211);
    return reply.headers(page.headers).send(ocpiSuccess(data));
  });
}

/** The fields a PATCH carries: an absent field leaves the stored one as it is. */
function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
