import { unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { billingService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CdrStore } from '../adapters/cdr-store.js';
import type { ReconciliationStore } from '../adapters/reconciliation-store.js';
import { toProtoDispute } from '../application/cdr-proto.js';
import type { CdrViews } from '../application/cdr-views.js';
import type { CdrWriter } from '../application/cdr-writer.js';
import { issueCreditCdr } from '../application/issue-credit-cdr.js';
import { getCdr, listCdrs, listDisputes, type PageLimits } from '../application/read-cdrs.js';
import { receivePartnerCdr } from '../application/receive-partner-cdr.js';
import type { Reconciler } from '../application/reconciler.js';

export interface BillingServiceDeps {
  store: CdrStore;
  reconciliations: ReconciliationStore;
  writer: CdrWriter;
  reconciler: Reconciler;
  views: CdrViews;
  limits: PageLimits;
  logger: Logger;
}

/** BillingService: the gateway (partner CDRs, pulls), finance (credits, disputes) and internal reads. */
export function billingServiceBinding(deps: BillingServiceDeps): GrpcServiceBinding {
  const { logger } = deps;
  const implementation: billingService.BillingServiceServer = {
    receivePartnerCdr: unary(logger, async (request: billingService.ReceivePartnerCdrRequest) => {
      const { cdr, dispute } = await receivePartnerCdr(deps, request);
      return { cdr, dispute: dispute ? toProtoDispute(dispute) : undefined };
    }),
    getCdr: unary(logger, async (request: billingService.GetCdrRequest) => ({ cdr: await getCdr(deps, request) })),
    listCdrs: unary(logger, (request: billingService.ListCdrsRequest) => listCdrs(deps, request, deps.limits)),
    issueCreditCdr: unary(logger, (request: billingService.IssueCreditCdrRequest) => issueCreditCdr(deps, request)),
    listDisputes: unary(logger, (request: billingService.ListDisputesRequest) => listDisputes(deps.reconciliations, request, deps.limits)),
  };
  return { name: 'voltmesh.billing.v1.BillingService', definition: billingService.BillingServiceService, implementation };
}
