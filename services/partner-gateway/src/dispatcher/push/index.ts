/** The push delivery engine of the dispatcher: coalescing outbox in Mongo, one worker per partner. */
export { PushEngine } from './push-engine.js';
export type { PushEngineOptions, PushEngineDeps, PartnerCaller, PartnerPushStatus } from './push-engine.js';
export { MongoPushOutbox } from './mongo-push-outbox.js';
export type { PushOutbox, ClaimedPush, Settlement, PartnerPushState } from './push-outbox.js';
export type { PushJob, PushMethod, PartyRef, EnqueueResult, PushCredentials, PushCredentialsSource, PartnerBacklog } from './push-job.js';
export { pushVersion, isValidPushVersion } from './version.js';
export { fullJitterBackoff, parseRetryAfter } from './backoff.js';
export { outcomeOfResponse, outcomeOfError } from './delivery-outcome.js';
export type { DeliveryOutcome } from './delivery-outcome.js';
