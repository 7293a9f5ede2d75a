import { invalidArgument, notFound } from '@voltmesh/errors';
import { unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { objects, tariffService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { TariffStore } from '../adapters/tariff-store.js';
import { deleteOwnTariff, upsertOwnTariff } from '../application/own-tariffs.js';
import { previewPriceRequest, priceCdrRequest, priceSessionRequest } from '../application/pricing.js';
import { toProto, type TariffWriter } from '../application/tariff-writer.js';
import { tariffKey, type Owner } from '../domain/stored-tariff.js';
import type { TariffsConfig } from '../config.js';

type PageLimits = Pick<TariffsConfig, 'LIST_DEFAULT_LIMIT' | 'LIST_MAX_LIMIT'>;

/** TariffService: what internal teams (tariff management, billing, driver app) and the gateway ask of tariffs. */
export function tariffServiceBinding(store: TariffStore, writer: TariffWriter, limits: PageLimits, logger: Logger): GrpcServiceBinding {
  const implementation: tariffService.TariffServiceServer = {
    upsertTariff: unary(logger, async (request: tariffService.UpsertTariffRequest) => {
      const result = await upsertOwnTariff(writer, request);
      if (!result.stored) throw new Error('upsert returned no tariff');
      return { tariff: toProto(result.stored), changed: result.changed };
    }),
    deleteTariff: unary(logger, async (request: tariffService.DeleteTariffRequest) => {
      const result = await deleteOwnTariff(writer, request);
      return { deleted: result.changed };
    }),
    getTariff: unary(logger, async (request: tariffService.GetTariffRequest) => {
      if (!request.party?.countryCode || !request.party.partyId || !request.id) throw invalidArgument('party and id: required');
      const key = { country_code: request.party.countryCode, party_id: request.party.partyId, tariff_id: request.id };
      const stored = await store.get(key);
      if (!stored) throw notFound(`unknown tariff ${tariffKey(key)}`);
      return { tariff: toProto(stored) };
    }),
    listTariffs: unary(logger, async (request: tariffService.ListTariffsRequest) => {
      const limit = Math.min(request.page?.limit || limits.LIST_DEFAULT_LIMIT, limits.LIST_MAX_LIMIT);
      const owner = ownerFrom(request.owner);
      const page = await store.list(
        {
          ...(owner ? { owner } : {}),
          ...(request.party?.countryCode && request.party.partyId ? { party: { country_code: request.party.countryCode, party_id: request.party.partyId } } : {}),
          ...(request.page?.dateFrom ? { dateFrom: utc(request.page.dateFrom, 'page.date_from') } : {}),
          ...(request.page?.dateTo ? { dateTo: utc(request.page.dateTo, 'page.date_to') } : {}),
        },
        request.page?.offset ?? 0,
        limit,
      );
      return { tariffs: page.items.map(toProto), page: { total: page.total, limit } };
    }),
    priceSession: unary(logger, async (request: tariffService.PriceSessionRequest) => ({ price: await priceSessionRequest(store, request) })),
    priceCdr: unary(logger, async (request: tariffService.PriceCdrRequest) => ({ price: await priceCdrRequest(store, request) })),
    previewPrice: unary(logger, async (request: tariffService.PreviewPriceRequest) => ({ price: await previewPriceRequest(store, request) })),
  };
  return { name: 'voltmesh.tariffs.v1.TariffService', definition: tariffService.TariffServiceService, implementation };
}

function ownerFrom(owner: objects.Owner): Owner | undefined {
  if (owner === objects.Owner.OWNER_OWN) return 'OWN';
  if (owner === objects.Owner.OWNER_PARTNER) return 'PARTNER';
  return undefined;
}

/** Page bounds compare with stored last_updated strings, so they take the same UTC form. */
function utc(value: string, field: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalidArgument(`${field}: must be an RFC 3339 date-time`);
  return date.toISOString();
}
