import { notFound } from '@voltmesh/errors';
import type { Connection, PartnerRole } from '../../domain/connection.js';
import type { PullStateStore } from './pull-state-store.js';

/** The modules the dispatcher pulls unless told otherwise. */
export const DEFAULT_PULL_MODULES: readonly string[] = ['locations', 'tariffs', 'tokens'];

/** The role that owns a module's Sender interface: the eMSP for tokens, the CPO for the rest. */
const SENDER_ROLE: Readonly<Record<string, string>> = { tokens: 'EMSP' };
export const senderRoleOf = (module: string): string => SENDER_ROLE[module] ?? 'CPO';

/** What the pull sync needs of the partner registry; ConnectionStore provides it. */
export interface PullConnections {
  list(state: 'REGISTERED'): Promise<Connection[]>;
  get(id: string): Promise<Connection | undefined>;
  outboundToken(id: string): Promise<string | undefined>;
}

export interface PullTarget {
  module: string;
  /** The partner's Sender endpoint URL for the module. */
  url: string;
  /** The partner's parties in the module's sender role (CPO for locations): usually one. */
  senderRoles: PartnerRole[];
}

/** The modules of `modules` for which the connection offers a Sender endpoint, in that order. */
export function pullTargets(connection: Connection, modules: readonly string[]): PullTarget[] {
  const targets: PullTarget[] = [];
  for (const module of modules) {
    const endpoint = connection.endpoints.find((candidate) => candidate.interfaceRole === 'SENDER' && candidate.module.toLowerCase() === module.toLowerCase());
    if (!endpoint) continue;
    const role = senderRoleOf(module);
    const senderRoles = connection.roles.filter((candidate) => candidate.role.toUpperCase() === role);
    targets.push({ module, url: endpoint.url, senderRoles: senderRoles.length > 0 ? senderRoles : connection.roles });
  }
  return targets;
}

export interface SyncRequestOptions {
  /** Crawl everything again instead of only what changed since the watermark. */
  full?: boolean;
}

export interface SyncRequest {
  connectionId: string;
  /** The modules that will be pulled; empty when the partner offers no Sender endpoint we pull. */
  modules: string[];
  full: boolean;
}

/**
 * The admin API's port: asks for a pull sync of one connection now. Throws NOT_FOUND for an
 * unknown (or no longer registered) connection.
 */
export type RequestPullSync = (connectionId: string, options: SyncRequestOptions) => Promise<SyncRequest>;

/**
 * A RequestPullSync that works from any process of the gateway package: it marks the request
 * in `pull_state`, and the dispatcher that polls next runs it. The gateway (admin API) and the
 * dispatcher are separate processes, so the request travels through the database they share.
 */
export function pullSyncRequester(deps: {
  connections: Pick<PullConnections, 'get'>;
  state: PullStateStore;
  modules?: readonly string[];
  now?: () => Date;
}): RequestPullSync {
  const modules = deps.modules ?? DEFAULT_PULL_MODULES;
  const now = deps.now ?? (() => new Date());
  return async (connectionId, options) => {
    const connection = await deps.connections.get(connectionId);
    if (!connection || connection.state !== 'REGISTERED') throw notFound(`no registered connection ${connectionId}`);
    const full = options.full === true;
    const targets = pullTargets(connection, modules);
    const at = now();
    for (const target of targets) await deps.state.request(connectionId, target.module, full, at);
    return { connectionId, modules: targets.map((target) => target.module), full };
  };
}
