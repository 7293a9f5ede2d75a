import { credentials } from '@grpc/grpc-js';
import { AppError, internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { cdrSchema, parseJsonField, type Cdr } from '@voltmesh/ocpi';
import { billingService, cdrs } from '@voltmesh/proto';
import type { Party } from './sessions-client.js';

/** Which side of the CDRs module a CDR is on for us: issued by our CPO, or received by our eMSP. */
export type CdrRole = 'CPO' | 'EMSP';

/** A CDR and the partner connection that posted it (empty for our CPO's). */
export interface StoredCdr {
  cdr: Cdr;
  connectionId: string;
}

export interface PartnerCdr {
  connectionId: string;
  cpo: Party;
  cdr: Cdr;
  receivedAt: string;
}

export interface CdrFilter {
  role: CdrRole;
  cpo?: Party;
  emsp?: Party;
}

/** The gateway's calls to the billing service, with a deadline on every call. */
export class BillingClient {
  private readonly client: billingService.BillingServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new billingService.BillingServiceClient(address, credentials.createInsecure(), observedClient);
  }

  /**
   * Hands a partner CPO's CDR to billing, which stores it durably before answering.
   * `ALREADY_EXISTS`: that CPO party already used this CDR id, and nothing changed.
   */
  async receive(request: PartnerCdr): Promise<'STORED' | 'ALREADY_EXISTS'> {
    try {
      await callUnary<billingService.ReceivePartnerCdrRequest, billingService.ReceivePartnerCdrResponse>(
        this.client.receivePartnerCdr.bind(this.client),
        { connectionId: request.connectionId, cpo: upper(request.cpo), ocpiJson: JSON.stringify(request.cdr), receivedAt: request.receivedAt },
        this.deadlineMs,
      );
      return 'STORED';
    } catch (error) {
      if (error instanceof AppError && error.code === 'ALREADY_EXISTS') return 'ALREADY_EXISTS';
      throw error;
    }
  }

  /** One CDR, or undefined when billing does not know it. */
  async get(role: CdrRole, cpo: Party, id: string): Promise<StoredCdr | undefined> {
    try {
      const reply = await callUnary<billingService.GetCdrRequest, billingService.GetCdrResponse>(
        this.client.getCdr.bind(this.client),
        { role: protoRole(role), cpo: upper(cpo), id: id.toUpperCase() },
        this.deadlineMs,
      );
      return reply.cdr ? { cdr: fromProto(reply.cdr), connectionId: reply.cdr.connectionId } : undefined;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** One page of CDRs matching the filter, ordered by created_at (the service's order). */
  async list(filter: CdrFilter, page: { offset: number; limit: number; dateFrom?: string; dateTo?: string }): Promise<{ items: Cdr[]; total: number }> {
    const reply = await callUnary<billingService.ListCdrsRequest, billingService.ListCdrsResponse>(
      this.client.listCdrs.bind(this.client),
      billingService.ListCdrsRequest.fromPartial({
        role: protoRole(filter.role),
        ...(filter.cpo ? { cpo: upper(filter.cpo) } : {}),
        ...(filter.emsp ? { emsp: upper(filter.emsp) } : {}),
        page: { offset: page.offset, limit: page.limit, dateFrom: page.dateFrom ?? '', dateTo: page.dateTo ?? '' },
      }),
      this.deadlineMs,
    );
    return { items: reply.cdrs.map(fromProto), total: reply.page?.total ?? 0 };
  }

  close(): void {
    this.client.close();
  }
}

const protoRole = (role: CdrRole): cdrs.CdrRole => (role === 'CPO' ? cdrs.CdrRole.CDR_ROLE_CPO : cdrs.CdrRole.CDR_ROLE_EMSP);
const upper = (party: Party): Party => ({ countryCode: party.countryCode.toUpperCase(), partyId: party.partyId.toUpperCase() });

/** Billing stores only validated CDRs; a reply that is not one is a server fault. */
function fromProto(cdr: cdrs.Cdr): Cdr {
  return parseJsonField(cdrSchema, cdr.ocpiJson, `billing service CDR ${cdr.id}`, internal);
}
