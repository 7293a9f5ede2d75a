import type { ServerWritableStream } from '@grpc/grpc-js';
import { toServiceError, unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { financeService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import { exportCsv } from '../application/export-csv.js';
import type { FinanceDeps } from '../application/finance-deps.js';
import { getInvoices } from '../application/get-invoices.js';
import { getSettlement } from '../application/get-settlement.js';

type ExportCall = ServerWritableStream<financeService.ExportCsvRequest, financeService.ExportCsvResponse>;

/** FinanceService: invoices per driver contract, settlement per partner, CSV exports (finance team). */
export function financeServiceBinding(deps: FinanceDeps, logger: Logger): GrpcServiceBinding {
  const implementation: financeService.FinanceServiceServer = {
    getInvoices: unary(logger, (request: financeService.GetInvoicesRequest) => getInvoices(deps, request)),
    getSettlement: unary(logger, (request: financeService.GetSettlementRequest) => getSettlement(deps, request)),
    exportCsv: exportCsvHandler(deps, logger),
  };
  return { name: 'voltmesh.billing.v1.FinanceService', definition: financeService.FinanceServiceService, implementation };
}

/**
 * ExportCsv: the file is computed first (a bad request or a failed read ends the call with its
 * status before any chunk), then written chunk by chunk, waiting for the transport to drain
 * when its buffer is full, and stopped when the caller cancels.
 */
function exportCsvHandler(deps: FinanceDeps, logger: Logger): (call: ExportCall) => void {
  return (call) => {
    let cancelled = false;
    call.on('cancelled', () => {
      cancelled = true;
    });
    const stream = async (): Promise<void> => {
      const chunks = await exportCsv(deps, call.request);
      for (const text of chunks) {
        if (cancelled) return;
        if (!call.write({ text })) await drained(call);
      }
      if (!cancelled) call.end();
    };
    stream().catch((error: unknown) => {
      if (!cancelled) call.emit('error', toServiceError(error, logger));
    });
  };
}

/** Resolves when the stream can take more, or will never need to (cancelled, closed, failed). */
function drained(call: ExportCall): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      for (const event of ['drain', 'cancelled', 'close', 'error'] as const) call.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'cancelled', 'close', 'error'] as const) call.once(event, done);
  });
}
