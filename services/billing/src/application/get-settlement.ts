import type { financeService } from '@voltmesh/proto';
import { financeCdrOf } from '../domain/finance-cdr.js';
import { parsePeriod } from '../domain/finance-period.js';
import { buildSettlements, PartnerDirectory, type Settlement, type SettlementSelection } from '../domain/settlement.js';
import { optionalParty, type FinanceDeps } from './finance-deps.js';
import { toProtoSettlement } from './finance-proto.js';

/**
 * Settlement with one partner (connection_id, else party) or every partner with CDRs in
 * [period_start, period_end): the period's CDRs of both roles, the gateway's connections (which
 * party belongs to which partner) and the open disputes, read side by side.
 */
export async function computeSettlements(
  deps: FinanceDeps,
  request: { connectionId: string; party?: { countryCode: string; partyId: string } | undefined; periodStart: string; periodEnd: string },
): Promise<Settlement[]> {
  const period = parsePeriod(request.periodStart, request.periodEnd);
  const connectionId = request.connectionId.trim();
  const party = connectionId ? undefined : optionalParty(request.party, 'party');
  const selection: SettlementSelection = connectionId ? { kind: 'connection', connection_id: connectionId } : party ? { kind: 'party', party } : { kind: 'all' };
  const [cdrs, connections, disputes] = await Promise.all([
    deps.cdrs.scanEndingIn({ ...period, withOcpiJson: false, batchSize: deps.limits.scanBatch, max: deps.limits.maxCdrs }, financeCdrOf),
    deps.partners.listConnections(),
    deps.disputes.openDisputes(deps.limits.scanBatch),
  ]);
  const open = new Map(disputes.map((dispute) => [dispute.key, dispute]));
  return buildSettlements(cdrs, open, new PartnerDirectory(connections), deps.ownEmspParties, selection, period);
}

export async function getSettlement(deps: FinanceDeps, request: financeService.GetSettlementRequest): Promise<financeService.GetSettlementResponse> {
  return { settlements: (await computeSettlements(deps, request)).map(toProtoSettlement) };
}
