import { formatOcpiDateTime, type CommandResponse } from '@voltmesh/ocpi';
import { PROFILE_RESPONSE_STATES } from './charging-profile.js';
import { type ChargingProfileResponse } from '@voltmesh/ocpi';
import { TIMEOUT_RESULT_JSON, type CommandRecord, type CommandState } from './command.js';

/**
 * The command state machine (command.proto) as pure functions. Each returns `changed: false`
 * when applying it again (a replayed event, a repeated report, a second sweep) would change
 * nothing, so every caller on top is idempotent; `refused` names why an input may not touch
 * the command at all.
 *
 *   REQUESTED → ACCEPTED | REJECTED | NOT_SUPPORTED | UNKNOWN_SESSION | NOT_DELIVERED
 *   ACCEPTED  → COMPLETED | TIMEOUT
 *   REQUESTED, TIMEOUT, NOT_DELIVERED → COMPLETED (outbound: a result is the CPO's truth, even late or early)
 */
export type CommandChange = { changed: false } | { changed: true; command: CommandRecord };
export type CommandOutcome = CommandChange | { refused: string };

const unchanged: CommandChange = { changed: false };

/**
 * What the gateway reports about one of our outbound commands (PartnerCommandEvent): a
 * command's CommandResponse, a charging-profile request's ChargingProfileResponse, the result
 * (either module's, as JSON), or that it could not be delivered.
 */
export type PartnerAnswer =
  | { kind: 'response'; response: CommandResponse; responseJson: string }
  | { kind: 'profileResponse'; response: ChargingProfileResponse; responseJson: string }
  | { kind: 'result'; resultJson: string }
  | { kind: 'notDelivered'; reason: string };

const RESPONSE_STATES: Record<CommandResponse['result'], CommandState> = {
  ACCEPTED: 'ACCEPTED',
  REJECTED: 'REJECTED',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  UNKNOWN_SESSION: 'UNKNOWN_SESSION',
};

/** Outbound states a CommandResult completes: before the response (race), while waiting, or after we stopped waiting. */
const COMPLETABLE: ReadonlySet<CommandState> = new Set(['REQUESTED', 'ACCEPTED', 'TIMEOUT', 'NOT_DELIVERED']);

/**
 * `connectionId`: the partner connection the answer came from; empty only for not_delivered.
 * `receivedAt`: when the gateway got the answer; the result deadline counts from it (a consumer
 * that lags does not extend it). `now` dates the change.
 */
export function applyPartnerAnswer(command: CommandRecord, connectionId: string, answer: PartnerAnswer, receivedAt: Date, now: Date): CommandOutcome {
  if (command.direction !== 'OUTBOUND') return { refused: `command ${command.id} is inbound: partner answers are for our outbound commands only` };
  // A not_delivered event names no connection when no partner offers the CPO's commands endpoint.
  if (command.connectionId && connectionId && command.connectionId !== connectionId) {
    return { refused: `command ${command.id} went to connection ${command.connectionId}, not ${connectionId}` };
  }
  const changed = (fields: Partial<CommandRecord>): CommandChange => ({
    changed: true,
    command: { ...command, ...fields, connectionId: command.connectionId || connectionId, updatedAt: formatOcpiDateTime(now) },
  });
  switch (answer.kind) {
    case 'response':
    case 'profileResponse': {
      if (command.state === 'REQUESTED') {
        const state = answer.kind === 'response' ? RESPONSE_STATES[answer.response.result] : PROFILE_RESPONSE_STATES[answer.response.result];
        const deadline = state === 'ACCEPTED' ? formatOcpiDateTime(new Date(receivedAt.getTime() + answer.response.timeout * 1000)) : '';
        return changed({ state, responseJson: answer.responseJson, deadline });
      }
      // The result (or our own sweeper) came first: keep the state, remember what the CPO answered.
      return command.responseJson ? unchanged : changed({ responseJson: answer.responseJson });
    }
    case 'result':
      return COMPLETABLE.has(command.state) ? changed({ state: 'COMPLETED', resultJson: answer.resultJson }) : unchanged;
    case 'notDelivered':
      return command.state === 'REQUESTED' ? changed({ state: 'NOT_DELIVERED' }) : unchanged;
  }
}

/** When the sweeper must look at the command next; undefined when nothing is pending. */
export function nextDueAt(command: CommandRecord, deliveryWaitMs: number): Date | undefined {
  if (command.state === 'ACCEPTED' && command.deadline) return new Date(command.deadline);
  if (command.state === 'REQUESTED' && command.direction === 'OUTBOUND') return new Date(Date.parse(command.requestedAt) + deliveryWaitMs);
  return undefined;
}

/**
 * The sweeper's transitions: an ACCEPTED command past its deadline times out (with a TIMEOUT
 * result, which the dispatcher posts to the partner for an inbound one); an outbound command
 * the dispatcher never answered for is NOT_DELIVERED.
 */
export function applyDue(command: CommandRecord, now: Date, deliveryWaitMs: number): CommandChange {
  const due = nextDueAt(command, deliveryWaitMs);
  if (!due || due.getTime() > now.getTime()) return unchanged;
  const updatedAt = formatOcpiDateTime(now);
  if (command.state === 'ACCEPTED') return { changed: true, command: { ...command, state: 'TIMEOUT', resultJson: TIMEOUT_RESULT_JSON, updatedAt } };
  return { changed: true, command: { ...command, state: 'NOT_DELIVERED', updatedAt } };
}

/**
 * A partner session carrying the authorization_reference of our START_SESSION / RESERVE_NOW
 * names the session the command led to, whatever the command's state (also after TIMEOUT).
 * The first session named stays.
 */
export function linkSession(command: CommandRecord, sessionId: string, now: Date): CommandChange {
  if (command.direction !== 'OUTBOUND' || (command.type !== 'START_SESSION' && command.type !== 'RESERVE_NOW')) return unchanged;
  if (command.sessionId) return unchanged;
  return { changed: true, command: { ...command, sessionId, updatedAt: formatOcpiDateTime(now) } };
}

export interface InboundReport {
  resultJson: string;
  /** START_SESSION: the session the charger started. */
  sessionId: string;
  /** RESERVE_NOW without an EVSE: the one the charger reserved. */
  evseUid: string;
}

/**
 * Our CSMS reports the outcome of an inbound command. Only an ACCEPTED command takes it: after
 * COMPLETED (a repeated report) or TIMEOUT (the partner was told TIMEOUT already) nothing changes.
 */
export function reportInboundResult(command: CommandRecord, report: InboundReport, now: Date): CommandOutcome {
  if (command.direction !== 'INBOUND') return { refused: `command ${command.id} is outbound: only inbound commands take a result from our CSMS` };
  if (command.state !== 'ACCEPTED') return unchanged;
  return {
    changed: true,
    command: {
      ...command,
      state: 'COMPLETED',
      resultJson: report.resultJson,
      sessionId: command.sessionId || report.sessionId,
      evseUid: command.evseUid || report.evseUid,
      updatedAt: formatOcpiDateTime(now),
    },
  };
}
