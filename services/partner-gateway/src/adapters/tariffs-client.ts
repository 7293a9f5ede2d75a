import { credentials } from '@grpc/grpc-js';
import { AppError, internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { tariffSchema, parseJsonField, type Tariff } from '@voltmesh/ocpi';
import { objects, tariffService, type tariffs } from '@voltmesh/proto';

export interface TariffPage {
  items: Tariff[];
  total: number;
  limit: number;
}

/** The gateway's reads of the tariffs service, with a deadline on every call. */
export class TariffsClient {
  private readonly client: tariffService.TariffServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new tariffService.TariffServiceClient(address, credentials.createInsecure(), observedClient);
  }

  async get(countryCode: string, partyId: string, id: string): Promise<Tariff | undefined> {
    try {
      const reply = await callUnary<tariffService.GetTariffRequest, tariffService.GetTariffResponse>(this.client.getTariff.bind(this.client), { party: { countryCode, partyId }, id }, this.deadlineMs);
      return reply.tariff ? fromProto(reply.tariff) : undefined;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** One page of our own tariffs (the CPO Sender interface). */
  async listOwn(page: { offset: number; limit: number; dateFrom?: string; dateTo?: string }): Promise<TariffPage> {
    const reply = await callUnary<tariffService.ListTariffsRequest, tariffService.ListTariffsResponse>(
      this.client.listTariffs.bind(this.client),
      { owner: objects.Owner.OWNER_OWN, party: undefined, page: { offset: page.offset, limit: page.limit, dateFrom: page.dateFrom ?? '', dateTo: page.dateTo ?? '' } },
      this.deadlineMs,
    );
    return { items: reply.tariffs.map(fromProto), total: reply.page?.total ?? 0, limit: reply.page?.limit ?? page.limit };
  }

  close(): void {
    this.client.close();
  }
}

function fromProto(tariff: tariffs.Tariff): Tariff {
  return parseJsonField(tariffSchema, tariff.ocpiJson, `tariffs service tariff ${tariff.id}`, internal);
}
