import { credentials } from '@grpc/grpc-js';
import { AppError, internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { parseJsonField, tariffSchema, type Tariff } from '@voltmesh/ocpi';
import { tariffService } from '@voltmesh/proto';
import type { Party } from '../domain/command.js';

/** A tariff as the tariffs service holds it: the parsed object and its JSON as given (the snapshot a session keeps). */
export interface FoundTariff {
  tariff: Tariff;
  json: string;
}

/** The tariffs service: our CPO's tariffs (GetTariff) and the price engine (PriceSession), with a deadline on every call. */
export class TariffClient {
  private readonly client: tariffService.TariffServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new tariffService.TariffServiceClient(address, credentials.createInsecure(), observedClient);
  }

  /** Undefined when the service holds no such tariff (or it was deleted). Other failures pass through. */
  async find(party: Party, id: string): Promise<FoundTariff | undefined> {
    let reply: tariffService.GetTariffResponse;
    try {
      reply = await callUnary<tariffService.GetTariffRequest, tariffService.GetTariffResponse>(this.client.getTariff.bind(this.client), { party, id }, this.deadlineMs);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
    if (!reply.tariff) throw internal('tariffs service answered GetTariff without a tariff');
    return { tariff: parseJsonField(tariffSchema, reply.tariff.ocpiJson, `tariffs service tariff ${id}`, internal), json: reply.tariff.ocpiJson };
  }

  async priceSession(request: tariffService.PriceSessionRequest): Promise<tariffService.PriceSessionResponse> {
    return callUnary<tariffService.PriceSessionRequest, tariffService.PriceSessionResponse>(this.client.priceSession.bind(this.client), request, this.deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}
