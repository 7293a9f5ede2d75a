import type { financeService } from '@voltmesh/proto';
import type { Party } from '../domain/cdr-record.js';
import { figureText } from '../domain/finance-cdr.js';
import type { Invoice, InvoiceLine } from '../domain/invoice.js';
import type { Settlement, SettlementAmount } from '../domain/settlement.js';

const partyRef = (party: Party) => ({ countryCode: party.country_code, partyId: party.party_id });

export function toProtoInvoiceLine(line: InvoiceLine): financeService.InvoiceLine {
  return {
    cdrKey: line.cdr_key,
    cdrId: line.cdr_id,
    cpo: partyRef(line.cpo),
    sessionId: line.session_id,
    locationId: line.location_id,
    startDateTime: line.start_date_time,
    endDateTime: line.end_date_time,
    energyKwh: figureText(line.energy_kwh),
    exclVat: figureText(line.excl_vat),
    inclVat: figureText(line.incl_vat),
    credit: line.credit,
    creditReferenceId: line.credit_reference_id,
  };
}

export function toProtoInvoice(invoice: Invoice): financeService.Invoice {
  return {
    id: invoice.id,
    contractId: invoice.contract_id,
    currency: invoice.currency,
    periodStart: invoice.period.start,
    periodEnd: invoice.period.end,
    lines: invoice.lines.map(toProtoInvoiceLine),
    totalExclVat: figureText(invoice.total_excl_vat),
    totalInclVat: figureText(invoice.total_incl_vat),
    totalVat: figureText(invoice.total_vat),
    totalEnergyKwh: figureText(invoice.total_energy_kwh),
  };
}

export function toProtoSettlementAmount(amount: SettlementAmount): financeService.SettlementAmount {
  return {
    currency: amount.currency,
    payableCdrs: amount.payable_cdrs,
    payableExclVat: figureText(amount.payable_excl_vat),
    payableInclVat: figureText(amount.payable_incl_vat),
    receivableCdrs: amount.receivable_cdrs,
    receivableExclVat: figureText(amount.receivable_excl_vat),
    receivableInclVat: figureText(amount.receivable_incl_vat),
    netInclVat: figureText(amount.net_incl_vat),
    disputedInclVat: figureText(amount.disputed_incl_vat),
  };
}

export function toProtoSettlement(settlement: Settlement): financeService.Settlement {
  return {
    connectionId: settlement.connection_id,
    party: settlement.party ? partyRef(settlement.party) : undefined,
    periodStart: settlement.period.start,
    periodEnd: settlement.period.end,
    amounts: settlement.amounts.map(toProtoSettlementAmount),
    openDisputes: settlement.open_disputes,
  };
}
