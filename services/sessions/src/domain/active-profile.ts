import { formatOcpiDateTime } from '@voltmesh/ocpi';
import { sameParty, type Party } from './command.js';
import type { SessionRole } from './session.js';

/**
 * What the platform knows about the charging profile of one session, in either role: the
 * latest ActiveChargingProfile, and (CPO role) which eMSP successfully set a profile on it, the
 * one party OCPI 2.2.1 §11 lets us push changes to ("only for sessions where the Sender has
 * successfully PUT a profile at least once; never otherwise").
 */

/** The eMSP whose SET_CHARGING_PROFILE our CSMS completed ACCEPTED: its connection and party. */
export interface ProfileSetter {
  connectionId: string;
  emsp: Party;
  commandId: string;
  /** RFC 3339 UTC, when the SET completed. */
  at: string;
}

export interface ActiveProfileRecord {
  /** The session's key, `CC*PID*ID` of the CPO. */
  key: string;
  cpo: Party;
  sessionId: string;
  role: SessionRole;
  /** OCPI ActiveChargingProfile, JSON as validated; empty while none is known. */
  profileJson: string;
  /** RFC 3339 UTC, when the profile was received or reported; empty while none is known. */
  updatedAt: string;
  /** CPO role: the eMSP that set a profile (the marker of the push rule). */
  setBy?: ProfileSetter | undefined;
  /** CPO role: the stored profile went (or is on its way) to `setBy` as ActiveProfileChanged. */
  pushed: boolean;
}

export interface ProfileTarget {
  key: string;
  cpo: Party;
  sessionId: string;
  role: SessionRole;
}

/** A transition: `push` says the saved state is owed to the eMSP as ActiveProfileChanged. */
export type ProfileChange = { changed: false } | { changed: true; record: ActiveProfileRecord; push: boolean };

const unchanged: ProfileChange = { changed: false };

const fresh = (target: ProfileTarget): ActiveProfileRecord => ({ ...target, profileJson: '', updatedAt: '', pushed: false });

/**
 * Our CSMS learnt of a change of the session's active profile (ReportActiveChargingProfile
 * without a command): stored, and pushed if and only if an eMSP has set a profile for the
 * session. The same profile again changes nothing, unless it has not gone to the eMSP yet (it
 * was reported before the eMSP's SET completed): then it is pushed now.
 */
export function reportProfileChange(current: ActiveProfileRecord | undefined, target: ProfileTarget, profileJson: string, now: Date): ProfileChange {
  const base = current ?? fresh(target);
  const push = !!base.setBy;
  if (base.profileJson === profileJson && base.pushed === push) return unchanged;
  return { changed: true, record: { ...base, profileJson, updatedAt: formatOcpiDateTime(now), pushed: push }, push };
}

/**
 * A profile that is known without a push being owed: our CSMS's answer to a GET (the eMSP gets
 * it as the command's result), a partner CPO's push or GET result for one of our drivers'
 * sessions (EMSP role). One received before the stored one (a late GET result after a newer
 * push) does not replace it; the same profile again changes nothing.
 */
export function learnProfile(current: ActiveProfileRecord | undefined, target: ProfileTarget, profileJson: string, receivedAt: Date): ProfileChange {
  const base = current ?? fresh(target);
  if (base.updatedAt && Date.parse(base.updatedAt) > receivedAt.getTime()) return unchanged;
  if (base.profileJson === profileJson) return unchanged;
  return { changed: true, record: { ...base, profileJson, updatedAt: formatOcpiDateTime(receivedAt), pushed: false }, push: false };
}

/**
 * An eMSP's SET_CHARGING_PROFILE completed ACCEPTED (our CSMS reported it): from now on our
 * CSMS's changes of the session's active profile are pushed to that eMSP (connection and
 * party). Setting again changes nothing; a clear does not undo it (OCPI: "at least once").
 */
export function markProfileSet(current: ActiveProfileRecord | undefined, target: ProfileTarget, setter: ProfileSetter): ProfileChange {
  const base = current ?? fresh(target);
  if (base.setBy && base.setBy.connectionId === setter.connectionId && sameParty(base.setBy.emsp, setter.emsp)) return unchanged;
  return { changed: true, record: { ...base, setBy: setter, pushed: false }, push: false };
}
