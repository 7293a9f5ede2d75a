import { z } from 'zod';
import { grpcServiceEnv, ownParties, parseEnv, partiesWithRole, positiveInt } from '@voltmesh/config';
import type { Party } from './domain/cdr-record.js';
import { CSV_CHUNK_MAX_BYTES } from './domain/csv.js';
import { parseDecimal, type Decimal } from './domain/decimal.js';
import type { Tolerances } from './domain/reconciliation.js';

const tolerance = (text: string): Decimal | undefined => {
  const value = parseDecimal(text);
  return value && value.units >= 0n ? value : undefined;
};

const env = z.object({
  ...grpcServiceEnv({ mongoDb: 'voltmesh_billing', grpcPort: 50055 }),
  /** The tariffs service: PriceCdr prices the CDRs we issue and re-prices the ones we receive. */
  TARIFFS_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:50054'),
  /** Deadline of every gRPC call this service makes. */
  SERVICE_DEADLINE_MS: positiveInt(2_000),
  /** Largest difference (in the CDR's currency) between a received CDR's total and ours that is not disputed. */
  RECONCILIATION_TOLERANCE: z
    .string()
    .default('0.01')
    .transform((text, ctx) => tolerance(text) ?? invalid(ctx, 'must be a non-negative decimal, e.g. 0.01')),
  /** Exceptions per currency, e.g. `JPY:1,HUF:1`; other currencies use RECONCILIATION_TOLERANCE. */
  RECONCILIATION_TOLERANCE_BY_CURRENCY: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const byCurrency = new Map<string, Decimal>();
      for (const [currency, value] of entries(text)) {
        const parsed = value === undefined ? undefined : tolerance(value);
        if (!/^[A-Z]{3}$/.test(currency) || !parsed) return invalid(ctx, 'must be CURRENCY:decimal pairs separated by commas, e.g. JPY:1,HUF:1');
        byCurrency.set(currency, parsed);
      }
      return byCurrency as ReadonlyMap<string, Decimal>;
    }),
  /** How long a received CDR whose re-pricing failed for want of the tariffs service waits before the next try. */
  RECONCILIATION_RETRY_MS: positiveInt(30_000),
  /** How often due reconciliations are looked for. */
  SWEEP_INTERVAL_MS: positiveInt(5_000),
  /** How long after a save a missing CdrCreated counts as lost and is republished (and how often that is checked). */
  REPUBLISH_INTERVAL_MS: positiveInt(5_000),
  /** PriceCdr calls in flight per consumed batch. */
  PRICING_CONCURRENCY: positiveInt(64),
  /** Partitions of sessions.session.v1 consumed in parallel. */
  CONSUMER_PARTITIONS: positiveInt(6),
  /** Page size of ListCdrs/ListDisputes when the caller names none, and the largest page served. */
  LIST_DEFAULT_LIMIT: positiveInt(50),
  LIST_MAX_LIMIT: positiveInt(1000),
  /** The parties this platform hosts: our EMSP parties' drivers are invoiced (FinanceService), their CDRs at our CPO are not settled. */
  OWN_PARTIES: ownParties,
  /** The gateway's PartnerService: settlement maps parties to partner connections with ListConnections. */
  GATEWAY_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:50050'),
  /** CDR documents per round trip when a finance read scans a period. */
  FINANCE_SCAN_BATCH: positiveInt(500),
  /** The most CDRs one finance answer may hold (invoice lines, a period's CDRs); beyond: FAILED_PRECONDITION. */
  FINANCE_MAX_CDRS: positiveInt(100_000),
  /** The largest ExportCsv chunk in UTF-8 bytes (at most 64 KiB). */
  FINANCE_CSV_CHUNK_BYTES: z.coerce.number().int().min(64).max(CSV_CHUNK_MAX_BYTES).default(CSV_CHUNK_MAX_BYTES),
});

function invalid(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

function entries(text: string): [string, string | undefined][] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map((item) => {
      const [currency = '', value] = item.split(':').map((part) => part.trim());
      return [currency.toUpperCase(), value];
    });
}

export type BillingConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadBillingConfig(source: NodeJS.ProcessEnv = process.env): BillingConfig {
  return parseEnv(env, source);
}

/** The reconciliation tolerances the configuration names. */
export function tolerancesOf(config: Pick<BillingConfig, 'RECONCILIATION_TOLERANCE' | 'RECONCILIATION_TOLERANCE_BY_CURRENCY'>): Tolerances {
  return { default: config.RECONCILIATION_TOLERANCE, byCurrency: config.RECONCILIATION_TOLERANCE_BY_CURRENCY };
}

/** Our eMSP parties (OWN_PARTIES with role EMSP). */
export function ownEmspPartiesOf(config: Pick<BillingConfig, 'OWN_PARTIES'>): Party[] {
  return partiesWithRole(config.OWN_PARTIES, 'EMSP').map((party) => ({ country_code: party.countryCode, party_id: party.partyId }));
}
