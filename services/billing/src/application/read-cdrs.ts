import { invalidArgument, notFound } from '@voltmesh/errors';
import { readListRequest } from '@voltmesh/grpc';
import { cdrs, objects, type billingService } from '@voltmesh/proto';
import type { CdrStore } from '../adapters/cdr-store.js';
import type { ReconciliationStore } from '../adapters/reconciliation-store.js';
import { cdrKey } from '../domain/cdr-record.js';
import { roleFromProto, toProtoDispute } from './cdr-proto.js';
import type { CdrViews } from './cdr-views.js';

export interface PageLimits {
  defaultLimit: number;
  maxLimit: number;
}

const party = (ref: { countryCode: string; partyId: string } | undefined) =>
  ref?.countryCode && ref.partyId ? { country_code: ref.countryCode.toUpperCase(), party_id: ref.partyId.toUpperCase() } : undefined;

/** One CDR by role (UNSPECIFIED: either), CPO party and id; NOT_FOUND otherwise. */
export async function getCdr(deps: { store: CdrStore; views: CdrViews }, request: billingService.GetCdrRequest): Promise<cdrs.Cdr> {
  const cpo = party(request.cpo);
  if (!cpo || !request.id) throw invalidArgument('cpo and id: required');
  const key = cdrKey(cpo, request.id);
  const record = await deps.store.get(key);
  const role = roleFromProto(request.role);
  if (!record || (role && record.role !== role)) throw notFound(`unknown CDR ${key}${role ? ` (role ${role})` : ''}`);
  return deps.views.view(record);
}

/** A page of CDRs ordered by created_at then key; date_from inclusive, date_to exclusive, on created_at. */
export async function listCdrs(deps: { store: CdrStore; views: CdrViews }, request: billingService.ListCdrsRequest, limits: PageLimits): Promise<billingService.ListCdrsResponse> {
  const { filter, offset, limit } = readListRequest({ page: request.page, owner: objects.Owner.OWNER_UNSPECIFIED }, limits);
  const role = roleFromProto(request.role);
  const cpo = party(request.cpo);
  const emsp = party(request.emsp);
  const page = await deps.store.list(
    {
      ...(role ? { role } : {}),
      ...(cpo ? { cpo } : {}),
      ...(emsp ? { emsp } : {}),
      ...(request.contractId ? { contractId: request.contractId } : {}),
      ...(request.connectionId ? { connectionId: request.connectionId } : {}),
      ...(filter.dateFrom ? { dateFrom: filter.dateFrom } : {}),
      ...(filter.dateTo ? { dateTo: filter.dateTo } : {}),
    },
    offset,
    limit,
  );
  return { cdrs: await deps.views.views(page.items), page: { total: page.total, limit } };
}

/** A page of disputes ordered by opened_at then key; filters CPO party and status (UNSPECIFIED: all). */
export async function listDisputes(store: ReconciliationStore, request: billingService.ListDisputesRequest, limits: PageLimits): Promise<billingService.ListDisputesResponse> {
  const { filter, offset, limit } = readListRequest({ page: request.page, owner: objects.Owner.OWNER_UNSPECIFIED }, limits);
  const cpo = party(request.cpo);
  const status = request.status === cdrs.DisputeStatus.DISPUTE_STATUS_OPEN ? 'OPEN' : request.status === cdrs.DisputeStatus.DISPUTE_STATUS_RESOLVED ? 'RESOLVED' : undefined;
  const page = await store.listDisputes(
    { ...(cpo ? { cpo } : {}), ...(status ? { status } : {}), ...(filter.dateFrom ? { dateFrom: filter.dateFrom } : {}), ...(filter.dateTo ? { dateTo: filter.dateTo } : {}) },
    offset,
    limit,
  );
  return { disputes: page.items.map(toProtoDispute), page: { total: page.total, limit } };
}
