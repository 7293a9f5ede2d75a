import { partiesWithRole, type OwnParty } from '@voltmesh/config';
import { failedPrecondition, invalidArgument } from '@voltmesh/errors';
import { parseJsonField, sessionPatchSchema, sessionSchema } from '@voltmesh/ocpi';
import { objects, type sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { SessionStore } from '../adapters/session-store.js';
import { partyKey } from '../domain/command.js';
import { applyPartnerPatch, isSamePut, judgePartnerPut, partnerSessionRecord, type PartnerWrite } from '../domain/partner-session.js';
import { replayWindowStart } from '../domain/session-periods.js';
import { sessionKey } from '../domain/session.js';
import { requiredParty, requiredText } from './request-fields.js';
import { idField } from './session-fields.js';
import type { ChangeOutcome, SessionWriteResult, SessionWriter } from './session-writer.js';

export interface PartnerSessionDeps {
  writer: Pick<SessionWriter, 'update'>;
  store: Pick<SessionStore, 'periodsFrom' | 'periodsSince'>;
  ownParties: readonly OwnParty[];
  logger: Logger;
  now?: () => Date;
}

/**
 * A partner CPO's PUT or PATCH of a session of one of our tokens (gateway.partner-session.v1),
 * stored as an EMSP-role session and announced on sessions.session.v1. What can never apply
 * throws a non-retryable error, so the consumer moves the write to the DLQ with the message:
 * a PATCH of an unknown session, a write from another connection than the one that created the
 * session, periods out of order, another currency, a session under one of our own CPO parties.
 * An older write than stored, and a replay, change nothing and publish nothing.
 */
export async function applyPartnerSession(deps: PartnerSessionDeps, write: sessions.PartnerSessionWrite): Promise<SessionWriteResult> {
  const connectionId = requiredText(write.connectionId, 'PartnerSessionWrite.connection_id');
  const cpo = requiredParty(write.party, 'PartnerSessionWrite.party');
  if (partiesWithRole(deps.ownParties, 'CPO').some((own) => partyKey(own) === partyKey(cpo))) {
    throw failedPrecondition(`PartnerSessionWrite.party: ${partyKey(cpo)} is one of our own CPO parties: its sessions come from our CSMS`);
  }
  const target: PartnerWrite = { connectionId, cpo, sessionId: idField(write.sessionId, 'PartnerSessionWrite.session_id') };
  const key = sessionKey(cpo, target.sessionId);
  const now = () => (deps.now ?? (() => new Date()))();
  const ignored = (reason: string): ChangeOutcome => {
    deps.logger.info({ session_key: key, connection_id: connectionId, reason }, 'partner session write changes nothing');
    return { changed: false };
  };

  if (write.method === objects.WriteMethod.WRITE_METHOD_PUT) {
    const session = parseJsonField(sessionSchema, write.ocpiJson, 'PartnerSessionWrite.ocpi_json');
    return deps.writer.update(
      key,
      async (current) => {
        if (current && !current.record) throw failedPrecondition(`session ${key} is one of our CPO's sessions (started by a command): no partner writes it`);
        const verdict = judgePartnerPut(current?.record, target, session);
        if (verdict === 'stale') return ignored('older than the stored session (last_updated)');
        if (verdict === 'same-time' && current?.record && isSamePut(current.record, await deps.store.periodsFrom(current, 0), session)) return ignored('a replay');
        const { next, periods } = partnerSessionRecord(target, session, now());
        return { changed: true, record: next, claim: undefined, edit: { replace: periods } };
      },
      false,
    );
  }
  if (write.method === objects.WriteMethod.WRITE_METHOD_PATCH) {
    const patch = parseJsonField(sessionPatchSchema, write.ocpiJson, 'PartnerSessionWrite.ocpi_json');
    return deps.writer.update(
      key,
      async (current) => {
        if (current && !current.record) throw failedPrecondition(`session ${key} is one of our CPO's sessions (started by a command): no partner writes it`);
        const from = write.replacePeriods ? undefined : replayWindowStart(current?.record?.lastPeriod, patch.charging_periods ?? []);
        const storedFromFirst = current && from ? await deps.store.periodsSince(current, from) : [];
        const outcome = applyPartnerPatch(current?.record, target, patch, storedFromFirst, now(), write.replacePeriods);
        if (outcome.kind === 'stale') return ignored('older than the stored session (last_updated)');
        if (outcome.kind === 'unchanged') return ignored('a replay');
        if (outcome.kind === 'replace') return { changed: true, record: outcome.next, claim: current?.claim, edit: { replace: outcome.periods } };
        return { changed: true, record: outcome.next, claim: current?.claim, edit: { append: outcome.append } };
      },
      false,
    );
  }
  throw invalidArgument('PartnerSessionWrite.method: must be PUT or PATCH');
}
