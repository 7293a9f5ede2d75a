/** Pull sync of partners' Sender interfaces (dispatcher): the folder's public entry. */
export { crawl, crawlCompleted } from './crawl.js';
export type { CrawlOptions, CrawlStop, CrawlSummary, CrawlTolerance, FetchPage, FetchedPage } from './crawl.js';
export { httpPageFetcher } from './http-page-fetcher.js';
export type { FetchPartnerPage, HttpPageFetcherOptions, PageRequest } from './http-page-fetcher.js';
export { PullStateStore, pullStateId } from './pull-state-store.js';
export type { PullRunSummary, PullState } from './pull-state-store.js';
export { DEFAULT_PULL_MODULES, pullSyncRequester, pullTargets } from './pull-targets.js';
export type { PullConnections, PullTarget, RequestPullSync, SyncRequest, SyncRequestOptions } from './pull-targets.js';
export { PullSync, isDue, safeWatermark } from './pull-sync.js';
export type { PullContext, PullSyncDeps, PullSyncOptions, PulledObjectsSink } from './pull-sync.js';
