import { invalidArgument } from '@voltmesh/errors';
import { financeService } from '@voltmesh/proto';
import { csvChunks, csvRecords } from '../domain/csv.js';
import { cdrDetailsOf, compareText, financeCdrOf } from '../domain/finance-cdr.js';
import { CDR_COLUMNS, INVOICE_LINE_COLUMNS, invoiceLineRows, SETTLEMENT_COLUMNS, settlementRows, type CdrRow } from '../domain/finance-csv.js';
import { parsePeriod } from '../domain/finance-period.js';
import type { FinanceDeps } from './finance-deps.js';
import { computeInvoices } from './get-invoices.js';
import { computeSettlements } from './get-settlement.js';

const { CsvKind } = financeService;

/**
 * The CSV a request asks for, as the chunks to stream (each ≤ the chunk limit, whole records
 * where they fit). Everything is read and checked before the first chunk, so a bad request or a
 * failed read is an error status, never half a file. INVOICE_LINES and SETTLEMENT hold exactly
 * what GetInvoices and GetSettlement answer; CDRS is every CDR of the period, both roles,
 * ordered by end_date_time then key.
 */
export async function exportCsv(deps: FinanceDeps, request: financeService.ExportCsvRequest): Promise<Iterable<string>> {
  switch (request.kind) {
    case CsvKind.CSV_KIND_INVOICE_LINES: {
      if (!request.contractId.trim()) throw invalidArgument('contract_id: required for CSV_KIND_INVOICE_LINES');
      const invoices = await computeInvoices(deps, request);
      return csvChunks(csvRecords(INVOICE_LINE_COLUMNS, invoiceLineRows(invoices)), deps.limits.csvChunkBytes);
    }
    case CsvKind.CSV_KIND_SETTLEMENT: {
      const settlements = await computeSettlements(deps, { connectionId: request.connectionId, periodStart: request.periodStart, periodEnd: request.periodEnd });
      return csvChunks(csvRecords(SETTLEMENT_COLUMNS, settlementRows(settlements)), deps.limits.csvChunkBytes);
    }
    case CsvKind.CSV_KIND_CDRS: {
      const period = parsePeriod(request.periodStart, request.periodEnd);
      const rows = await deps.cdrs.scanEndingIn({ ...period, withOcpiJson: true, batchSize: deps.limits.scanBatch, max: deps.limits.maxCdrs }, (stored): CdrRow => ({
        cdr: financeCdrOf(stored),
        details: cdrDetailsOf(stored.key, stored.ocpi_json),
      }));
      rows.sort((a, b) => compareText(a.cdr.end_date_time, b.cdr.end_date_time) || compareText(a.cdr.key, b.cdr.key));
      return csvChunks(csvRecords(CDR_COLUMNS, rows), deps.limits.csvChunkBytes);
    }
    default:
      // UNSPECIFIED, and numbers this build does not know.
      throw invalidArgument('kind: required (CSV_KIND_INVOICE_LINES, CSV_KIND_SETTLEMENT or CSV_KIND_CDRS)');
  }
}
