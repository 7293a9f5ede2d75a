import type { financeService } from '@voltmesh/proto';
import { cdrDetailsOf, financeCdrOf } from '../domain/finance-cdr.js';
import { parsePeriod } from '../domain/finance-period.js';
import { buildInvoices, invoiceLineOf, isOnInvoice, type Invoice } from '../domain/invoice.js';
import { contractField, type FinanceDeps } from './finance-deps.js';
import { toProtoInvoice } from './finance-proto.js';

/**
 * The invoices of one driver contract for [period_start, period_end) on the CDRs'
 * end_date_time: the contract's CDRs of our drivers in both roles (see isOnInvoice), credit CDRs
 * as negative lines, one invoice per currency. Read from the stored CDRs only, so the same
 * request gives the same answer until a CDR of that period arrives.
 */
export async function computeInvoices(deps: FinanceDeps, request: { contractId: string; periodStart: string; periodEnd: string }): Promise<Invoice[]> {
  const contractId = contractField(request.contractId);
  const period = parsePeriod(request.periodStart, request.periodEnd);
  const lines = await deps.cdrs.scanEndingIn(
    { ...period, contractId, withOcpiJson: true, batchSize: deps.limits.scanBatch, max: deps.limits.maxCdrs },
    (stored) => (isOnInvoice(stored, contractId, deps.ownEmspParties) ? invoiceLineOf(financeCdrOf(stored), cdrDetailsOf(stored.key, stored.ocpi_json)) : undefined),
  );
  return buildInvoices(contractId, period, lines);
}

export async function getInvoices(deps: FinanceDeps, request: financeService.GetInvoicesRequest): Promise<financeService.GetInvoicesResponse> {
  return { invoices: (await computeInvoices(deps, request)).map(toProtoInvoice) };
}
