import { invalidArgument, notFound } from '@voltmesh/errors';
import { readListRequest, unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { tariffService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { TariffStore } from '../adapters/tariff-store.js';
import { deleteOwnTariff, upsertOwnTariff } from '../application/own-tariffs.js';
import { previewPriceRequest, priceCdrRequest, priceSessionRequest } from '../application/pricing.js';
import { toProto, type TariffWriter } from '../application/tariff-writer.js';
import { tariffKey } from '../domain/stored-tariff.js';
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
      const { filter, offset, limit } = readListRequest(request, { defaultLimit: limits.LIST_DEFAULT_LIMIT, maxLimit: limits.LIST_MAX_LIMIT });
      const page = await store.list(filter, offset, limit);
      return { tariffs: page.items.map(toProto), page: { total: page.total, limit } };
    }),
    priceSession: unary(logger, (request: tariffService.PriceSessionRequest) => priceSessionRequest(store, request)),
    priceCdr: unary(logger, async (request: tariffService.PriceCdrRequest) => ({ price: await priceCdrRequest(store, request) })),
    previewPrice: unary(logger, async (request: tariffService.PreviewPriceRequest) => ({ price: await previewPriceRequest(store, request) })),
  };
  return { name: 'voltmesh.tariffs.v1.TariffService', definition: tariffService.TariffServiceService, implementation };
}
