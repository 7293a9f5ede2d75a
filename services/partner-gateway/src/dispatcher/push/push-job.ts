import type { AuthMode } from '../../domain/connection.js';

export type PushMethod = 'PUT' | 'PATCH' | 'DELETE' | 'POST';

export interface PartyRef {
  countryCode: string;
  partyId: string;
}

/**
 * One state of one object for one partner. Jobs with the same (partnerId, objectKey) coalesce:
 * only the one with the greatest `version` is delivered, and never one older than what was
 * already sent or enqueued.
 */
export interface PushJob {
  /** The partner's connection id. */
  partnerId: string;
  /** Identity of the pushed object at the partner, e.g. `locations:NL*VLT*LOC1*EVSE1`. */
  objectKey: string;
  /** Orders the states of one object by plain string comparison; see `pushVersion`. */
  version: string;
  method: PushMethod;
  /** Absolute URL: the partner's Receiver endpoint joined with the object's path. */
  url: string;
  /** The OCPI body, as JSON. */
  body: unknown;
  /** OCPI-from/to-* headers; absent for partners whose version has none (2.1.1). */
  routing?: { from: PartyRef; to: PartyRef };
  correlationId: string;
  /**
   * The body's array that the partner appends to on PATCH (an OCPI Session's
   * `charging_periods`). Such a job is a whole object (PUT); once one state was delivered, the
   * next goes as a PATCH of the top-level fields carrying only the items the partner lacks.
   */
  appendList?: string;
  /**
   * W3C trace context (`traceparent`…) of the change that made this state, so its delivery
   * continues that trace; set by the outbox when the job is enqueued.
   */
  trace?: Record<string, string>;
}

export type EnqueueResult = 'queued' | 'stale';

export interface PushCredentials {
  token: string;
  authMode: AuthMode;
}

/** Where the engine gets the token we present to a partner; undefined when it has none (no longer registered). */
export interface PushCredentialsSource {
  getCredentials(partnerId: string): Promise<PushCredentials | undefined>;
}

export interface PartnerBacklog {
  partnerId: string;
  /** Objects with a state not yet delivered (due, waiting for a retry, or in flight). */
  pending: number;
  /** Since when the longest-waiting of them has had an undelivered state. */
  oldestSince?: Date;
}
