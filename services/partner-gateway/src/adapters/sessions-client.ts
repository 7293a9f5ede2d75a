import { credentials } from '@grpc/grpc-js';
import { AppError, internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { chargingPreferencesResponseSchema, parseJsonField, sessionSchema, type ChargingPreferences, type Session } from '@voltmesh/ocpi';
import { sessions, sessionService } from '@voltmesh/proto';

export interface Party {
  countryCode: string;
  partyId: string;
}

/** Which side of the Sessions module a session is on for us: at our chargers (CPO) or a partner's (EMSP). */
export type SessionRole = 'CPO' | 'EMSP';

/** A session and the partner connection that pushed it (empty for our CPO's). */
export interface StoredSession {
  session: Session;
  connectionId: string;
}

export interface SessionFilter {
  role: SessionRole;
  cpo?: Party;
  emsp?: Party;
}

/** What a partner eMSP asks of one of our CPO's sessions (OCPI PUT .../charging_preferences). */
export interface ChargingPreferencesRequest {
  cpo: Party;
  sessionId: string;
  connectionId: string;
  emsp: Party;
  preferences: ChargingPreferences;
}

/** The gateway's calls to the sessions service's SessionService, with a deadline on every call. */
export class SessionsClient {
  private readonly client: sessionService.SessionServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new sessionService.SessionServiceClient(address, credentials.createInsecure(), observedClient);
  }

  /** One session, or undefined when the service does not know it. */
  async get(role: SessionRole, cpo: Party, id: string): Promise<StoredSession | undefined> {
    try {
      const reply = await callUnary<sessionService.GetSessionRequest, sessionService.GetSessionResponse>(
        this.client.getSession.bind(this.client),
        { role: protoRole(role), cpo: upper(cpo), sessionId: id.toUpperCase() },
        this.deadlineMs,
      );
      return reply.session ? { session: fromProto(reply.session), connectionId: reply.session.connectionId } : undefined;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** One page of sessions matching the filter, ordered by last_updated (the service's order). */
  async list(filter: SessionFilter, page: { offset: number; limit: number; dateFrom?: string; dateTo?: string }): Promise<{ items: Session[]; total: number }> {
    const reply = await callUnary<sessionService.ListSessionsRequest, sessionService.ListSessionsResponse>(
      this.client.listSessions.bind(this.client),
      sessionService.ListSessionsRequest.fromPartial({
        role: protoRole(filter.role),
        ...(filter.cpo ? { cpo: upper(filter.cpo) } : {}),
        ...(filter.emsp ? { emsp: upper(filter.emsp) } : {}),
        page: { offset: page.offset, limit: page.limit, dateFrom: page.dateFrom ?? '', dateTo: page.dateTo ?? '' },
      }),
      this.deadlineMs,
    );
    return { items: reply.sessions.map(fromProto), total: reply.page?.total ?? 0 };
  }

  /**
   * Hands a partner eMSP's ChargingPreferences to our CPO's session; answers the OCPI
   * ChargingPreferencesResponse. NOT_FOUND (unknown session, or not this eMSP's) and
   * FAILED_PRECONDITION (EVSE not CHARGING_PREFERENCES_CAPABLE) come back as AppErrors.
   */
  async setChargingPreferences(request: ChargingPreferencesRequest): Promise<string> {
    const reply = await callUnary<sessionService.SetChargingPreferencesRequest, sessionService.SetChargingPreferencesResponse>(
      this.client.setChargingPreferences.bind(this.client),
      {
        cpo: upper(request.cpo),
        sessionId: request.sessionId.toUpperCase(),
        connectionId: request.connectionId,
        emsp: upper(request.emsp),
        preferencesJson: JSON.stringify(request.preferences),
      },
      this.deadlineMs,
    );
    const parsed = chargingPreferencesResponseSchema.safeParse(reply.result);
    if (!parsed.success) throw internal(`sessions service ChargingPreferencesResponse: ${JSON.stringify(reply.result)} is not one`);
    return parsed.data;
  }

  close(): void {
    this.client.close();
  }
}

const protoRole = (role: SessionRole): sessions.SessionRole => (role === 'CPO' ? sessions.SessionRole.SESSION_ROLE_CPO : sessions.SessionRole.SESSION_ROLE_EMSP);
const upper = (party: Party): Party => ({ countryCode: party.countryCode.toUpperCase(), partyId: party.partyId.toUpperCase() });

/** The service stores only validated sessions; a reply that is not one is a server fault. */
function fromProto(session: sessions.Session): Session {
  return parseJsonField(sessionSchema, session.ocpiJson, `sessions service session ${session.id}`, internal);
}
