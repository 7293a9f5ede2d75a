import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';
import { CdrStore } from './adapters/cdr-store.js';
import { PartnerClient } from './adapters/partner-client.js';
import { ReconciliationStore } from './adapters/reconciliation-store.js';
import { TariffClient } from './adapters/tariff-client.js';
import { every } from './application/background.js';
import { CdrViews } from './application/cdr-views.js';
import { CdrWriter } from './application/cdr-writer.js';
import { SessionCdrIssuer } from './application/issue-session-cdrs.js';
import { Reconciler } from './application/reconciler.js';
import { ownEmspPartiesOf, tolerancesOf, type BillingConfig } from './config.js';
import { billingServiceBinding } from './transport/billing-service.js';
import { financeServiceBinding } from './transport/finance-service.js';
import { consumeSessions } from './transport/sessions-consumer.js';

/**
 * Composition root of the billing service: the CDR store and the writer every CDR goes through,
 * the issuer of our CPO's CDRs (consumer of completed sessions), the reconciler of partners' CDRs
 * with its sweeper, the republisher of lost CdrCreated events, the BillingService API, and the
 * FinanceService (invoices, settlement, CSV) read from the same stores plus the gateway's
 * partner connections.
 */
export async function buildBilling(config: BillingConfig, { db, kafka, publisher, logger }: ServiceDeps): Promise<ServiceParts> {
  const store = new CdrStore(db);
  const reconciliations = new ReconciliationStore(db);
  await Promise.all([store.ensureIndexes(), reconciliations.ensureIndexes()]);
  const tariffs = new TariffClient(config.TARIFFS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const views = new CdrViews(reconciliations);
  const writer = new CdrWriter(store, publisher, views, logger);
  const reconciler = new Reconciler(store, reconciliations, tariffs, { tolerances: tolerancesOf(config), retryMs: config.RECONCILIATION_RETRY_MS }, logger);
  const issuer = new SessionCdrIssuer(tariffs, store, writer, { pricingConcurrency: config.PRICING_CONCURRENCY });
  const partners = new PartnerClient(config.GATEWAY_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const finance = {
    cdrs: store,
    disputes: reconciliations,
    partners,
    ownEmspParties: ownEmspPartiesOf(config),
    limits: { scanBatch: config.FINANCE_SCAN_BATCH, maxCdrs: config.FINANCE_MAX_CDRS, csvChunkBytes: config.FINANCE_CSV_CHUNK_BYTES },
  };

  return {
    grpcServices: [
      billingServiceBinding({ store, reconciliations, writer, reconciler, views, limits: { defaultLimit: config.LIST_DEFAULT_LIMIT, maxLimit: config.LIST_MAX_LIMIT }, logger }),
      financeServiceBinding(finance, logger),
    ],
    async start() {
      const consumer = await consumeSessions(kafka, issuer, publisher, logger, config.CONSUMER_PARTITIONS);
      const background = [
        every('republish CdrCreated', config.REPUBLISH_INTERVAL_MS, () => writer.republishLost(config.REPUBLISH_INTERVAL_MS), logger),
        every('reconciliation sweeper', config.SWEEP_INTERVAL_MS, () => reconciler.sweep(), logger),
      ];
      return {
        async stop() {
          await consumer.stop();
          await Promise.all(background.map((task) => task.stop()));
          tariffs.close();
          partners.close();
        },
      };
    },
  };
}
