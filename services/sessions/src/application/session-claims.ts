import type { SessionStore } from '../adapters/session-store.js';
import type { Party } from '../domain/command.js';
import { sessionKey, type CommandClaim } from '../domain/session.js';
import type { SessionWriter } from './session-writer.js';

/** Who may stop one of our CPO's sessions by command: the token's eMSP over the connection it came from. */
export interface SessionHolder {
  emsp: Party;
  connectionId: string;
}

/**
 * Commands and sessions share the sessions collection. A partner's START_SESSION our charger
 * accepted claims its session id (the claim is all there is until the CSMS reports the session,
 * or for a CSMS that never does); a STOP_SESSION asks who holds the session: the session's token
 * (its eMSP, and the partner connection that pushed it), else the claim.
 */
export class SessionClaims {
  constructor(
    private readonly writer: Pick<SessionWriter, 'update'>,
    private readonly store: Pick<SessionStore, 'get'>,
  ) {}

  /** Records the claim once; a session or an earlier claim under that id stays as it is. */
  async claim(cpo: Party, sessionId: string, claim: CommandClaim): Promise<void> {
    await this.writer.update(sessionKey(cpo, sessionId), async (current) => (current ? { changed: false } : { changed: true, record: undefined, claim }), false);
  }

  async holder(cpo: Party, sessionId: string): Promise<SessionHolder | undefined> {
    const stored = await this.store.get(sessionKey(cpo, sessionId));
    if (!stored) return undefined;
    const record = stored.record;
    if (record?.role === 'CPO') return { emsp: record.emsp, connectionId: record.cpoFacts?.tokenConnectionId || stored.claim?.connectionId || '' };
    if (record) return undefined;
    return stored.claim ? { emsp: stored.claim.emsp, connectionId: stored.claim.connectionId } : undefined;
  }
}
