import type { PricingRecord } from '../domain/pricing-record.js';
import type { PartnerConnectionInfo } from '../domain/settlement.js';

/** The tariff a CDR is priced with: the session's snapshot given inline, or one the tariffs service holds. */
export type PricingSource =
  | { kind: 'inline'; ocpiJson: string; tariff: { country_code: string; party_id: string; id: string } }
  | { kind: 'stored'; tariff: { country_code: string; party_id: string; id: string } };

/** The price engine (tariffs PriceCdr). Fails with the engine's AppError codes. */
export interface CdrPricing {
  priceCdr(source: PricingSource, cdrJson: string): Promise<PricingRecord>;
}

/** Who our partners are (the gateway's PartnerService): settlement maps parties to connections with it. */
export interface PartnerConnections {
  listConnections(): Promise<PartnerConnectionInfo[]>;
}
