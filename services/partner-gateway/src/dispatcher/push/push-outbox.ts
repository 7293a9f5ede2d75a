import type { EnqueueResult, PartnerBacklog, PushJob } from './push-job.js';

/** A pending state taken for delivery: no one else sends this object until it is settled or the lease ends. */
export interface ClaimedPush {
  job: PushJob;
  leaseToken: string;
  /** Attempts at this object's pending state, this one included. */
  attempts: number;
  /** For a job with `appendList`: the list's length in the last state the partner acknowledged. */
  deliveredListLength?: number;
}

export type Settlement =
  | { kind: 'delivered'; requestId: string; httpStatus: number; statusCode?: number; note?: string }
  | { kind: 'rejected'; requestId: string; httpStatus?: number; statusCode?: number; message: string };

export interface DueObject {
  partnerId: string;
  objectKey: string;
  dueAt: Date;
}

/** A partner's backoff, shared by every engine instance and kept across restarts. */
export interface PartnerPushState {
  failures: number;
  pausedUntil: Date;
  lastError?: string;
}

/**
 * Delivery state of the pushes: one record per (partner, object) with the newest pending
 * state. Every method is one single-document atomic write or a read (no transactions).
 */
export interface PushOutbox {
  /** Stores the job as the object's pending state unless a state at least as new was enqueued before. */
  enqueue(job: PushJob, now: Date): Promise<EnqueueResult>;
  /** Whether a state of the object waits for delivery (or is being delivered): by key only. */
  hasPending(partnerId: string, objectKey: string): Promise<boolean>;
  /**
   * The object's pending state, leased until `leaseUntil`, if it is due and not leased; by key
   * only (the one lookup FerretDB serves from an index).
   */
  claim(partnerId: string, objectKey: string, now: Date, leaseUntil: Date, leaseToken: string): Promise<ClaimedPush | undefined>;
  /**
   * Ends a lease with the partner's verdict on the claimed version. A newer state enqueued
   * meanwhile stays pending ('newer-pending'). 'lost' when the lease had expired and someone else took the object.
   */
  settle(claim: ClaimedPush, settlement: Settlement, now: Date): Promise<'settled' | 'newer-pending' | 'lost'>;
  /** Ends a lease after a failure: the pending state (the claimed one or a newer) is due again at `dueAt`. */
  retryLater(claim: ClaimedPush, dueAt: Date, message: string, now: Date): Promise<boolean>;
  /** Ends a lease without an attempt (shutdown): due again at once. */
  release(claim: ClaimedPush): Promise<void>;
  /** Due, unleased objects of all partners, longest waiting first: what the periodic poll hands to workers. */
  dueObjects(now: Date, limit: number): Promise<DueObject[]>;
  backlog(): Promise<PartnerBacklog[]>;
  partnerState(partnerId: string): Promise<PartnerPushState | undefined>;
  savePartnerState(partnerId: string, state: PartnerPushState): Promise<void>;
}
