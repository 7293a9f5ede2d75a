/**
 * The checker over everything the chaos run sent: each check reads the mesh back (through the
 * gateway's OCPI GETs as the partners, or the services' gRPC lists) and says what is wrong.
 */
import { callUnary } from '@voltmesh/grpc';
import type { Location, Session } from '@voltmesh/ocpi';
import { billingService, cdrs } from '@voltmesh/proto';
import { readConsumerLag, type GroupLag } from '../../libs/testing/src/chaos/index.js';
import type { SimPartner } from '@voltmesh/testing';
import type { Ledger } from './load.js';
import { ocpiCall } from './ocpi-client.js';
import type { ChaosWorld } from './world.js';

export interface PartnerWritesCheck {
  sent: number;
  acknowledged: number;
  /** Acknowledged writes whose effect is in the mesh, once. */
  found: number;
  pending: number;
  refused: number;
  /** Refusals by kind, OCPI status and message (numbers in the message folded). */
  refusals: Record<string, number>;
  byKind: Record<string, { sent: number; acknowledged: number; found: number }>;
  problems: string[];
}

const isAck = (outcome: string) => outcome === 'acknowledged' || outcome === 'implied';

/** Every write the partner CPO had acknowledged with 1000 is in the mesh exactly once. */
export async function checkPartnerWrites(world: ChaosWorld, ledger: Ledger): Promise<PartnerWritesCheck> {
  const problems: string[] = [];
  const token = world.cpo.state.peerToken!;
  const byKind: PartnerWritesCheck['byKind'] = {};
  for (const write of ledger.writes) {
    const kind = (byKind[write.kind] ??= { sent: 0, acknowledged: 0, found: 0 });
    kind.sent += 1;
    if (isAck(write.outcome)) kind.acknowledged += 1;
  }

  // EVSE statuses: the last acknowledged status of each EVSE is what the gateway serves; the
  // superseded ones count as found when it is (their order held).
  const locationsUrl = world.cpo.peerEndpoint('locations', 'RECEIVER');
  const statusMatches = new Map<string, boolean>();
  for (const [key, expected] of ledger.partnerStatuses) {
    const answer = await ocpiCall(token, 'GET', `${locationsUrl}BE/CPO/${key}`, undefined, 10_000);
    const actual = (answer.data as { status?: string } | undefined)?.status;
    statusMatches.set(key, actual === expected);
    if (actual !== expected) problems.push(`EVSE ${key}: acknowledged ${expected}, the gateway serves ${actual ?? `nothing (HTTP ${answer.http} ${answer.status ?? answer.error ?? ''})`}`);
  }
  if (byKind['status']) byKind['status'].found = ledger.writes.filter((write) => write.kind === 'status' && isAck(write.outcome) && statusMatches.get(write.key) === true).length;

  // Sessions: every acknowledged charging period once, none twice, the acknowledged status.
  const sessionsUrl = world.cpo.peerEndpoint('sessions', 'RECEIVER');
  let sessionWritesFound = 0;
  for (const entry of ledger.partnerSessions.values()) {
    const acknowledgedWrites = ledger.writes.filter((write) => write.kind === 'session' && write.key.startsWith(`${entry.id}#`) && isAck(write.outcome));
    if (acknowledgedWrites.length === 0) continue;
    const answer = await ocpiCall(token, 'GET', `${sessionsUrl}BE/CPO/${entry.id}`, undefined, 10_000);
    const session = answer.data as Partial<Session> | undefined;
    if (!session) {
      problems.push(`session ${entry.id}: ${acknowledgedWrites.length} writes acknowledged, the gateway serves nothing (HTTP ${answer.http} ${answer.status ?? answer.error ?? ''})`);
      continue;
    }
    const starts = (session.charging_periods ?? []).map((period) => Date.parse(period.start_date_time));
    const counts = new Map<number, number>();
    for (const start of starts) counts.set(start, (counts.get(start) ?? 0) + 1);
    const duplicated = [...counts].filter(([, count]) => count > 1);
    if (duplicated.length > 0) problems.push(`session ${entry.id}: periods stored twice: ${duplicated.map(([start]) => new Date(start).toISOString()).join(', ')}`);
    const missing = entry.periods.filter((start) => !counts.has(Date.parse(start)));
    if (missing.length > 0) problems.push(`session ${entry.id}: acknowledged periods missing: ${missing.join(', ')}`);
    const statusOk = entry.status === 'NONE' || session.status === entry.status;
    if (!statusOk) problems.push(`session ${entry.id}: acknowledged ${entry.status}, stored ${session.status}`);
    if (duplicated.length === 0 && missing.length === 0 && statusOk) sessionWritesFound += acknowledgedWrites.length;
  }
  if (byKind['session']) byKind['session'].found = sessionWritesFound;

  // CDRs: the billing service's list (role eMSP) holds each acknowledged CDR id exactly once.
  const stored = new Map<string, number>();
  for (let offset = 0; ; ) {
    const page = await callUnary<billingService.ListCdrsRequest, billingService.ListCdrsResponse>(
      world.billing.listCdrs.bind(world.billing),
      billingService.ListCdrsRequest.fromPartial({ role: cdrs.CdrRole.CDR_ROLE_EMSP, page: { offset, limit: 100 } }),
      10_000,
    );
    for (const cdr of page.cdrs) stored.set(cdr.id, (stored.get(cdr.id) ?? 0) + 1);
    offset += page.cdrs.length;
    if (page.cdrs.length === 0 || offset >= (page.page?.total ?? 0)) break;
  }
  let cdrsFound = 0;
  for (const write of ledger.writes.filter((candidate) => candidate.kind === 'cdr' && isAck(candidate.outcome))) {
    const count = stored.get(write.key.toUpperCase()) ?? stored.get(write.key) ?? 0;
    if (count === 1) cdrsFound += 1;
    else problems.push(`CDR ${write.key}: acknowledged, stored ${count} times`);
  }
  if (byKind['cdr']) byKind['cdr'].found = cdrsFound;

  const acknowledged = ledger.writes.filter((write) => isAck(write.outcome)).length;
  return {
    sent: ledger.writes.length,
    acknowledged,
    found: Object.values(byKind).reduce((sum, kind) => sum + kind.found, 0),
    pending: ledger.writes.filter((write) => write.outcome === 'pending').length,
    refused: ledger.writes.filter((write) => write.outcome === 'refused').length,
    refusals: countRefusals(ledger),
    byKind,
    problems,
  };
}

function countRefusals(ledger: Ledger): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const write of ledger.writes.filter((candidate) => candidate.outcome === 'refused')) {
    const answer = write.attempts.at(-1)?.answer;
    const label = `${write.kind} ${write.key.includes('#') ? write.key.replace(/^.*#/, 'step ') : ''} ${answer?.status ?? '-'} ${(answer?.message ?? '').replace(/[0-9A-F-]{8,}/gi, '…').slice(0, 120)}`;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

export interface CdrDeliveryCheck {
  /** Our CDRs of the partner eMSP's drivers (the gateway's CPO Sender list as that eMSP). */
  ours: number;
  /** Of them, POSTed to the eMSP and applied there (answered 1000, or kept by a faulty answer). */
  delivered: number;
  /** POSTs of a CDR the eMSP had already acknowledged in time: forbidden. */
  duplicatesAfterAck: number;
  /** POSTs repeated after an attempt whose answer never reached us (late or unusable): OCPI §2.9 lets receivers dedupe by id. */
  repostsAfterLostAnswer: number;
  totalPosts: number;
  problems: string[];
}

/** Every CDR of ours reaches its eMSP, and none is POSTed again after the eMSP acknowledged it. */
export async function checkOurCdrs(world: ChaosWorld): Promise<CdrDeliveryCheck> {
  const problems: string[] = [];
  const ids = await pageAll<{ id: string }>(world.emsp, `${world.emsp.peerEndpoint('cdrs', 'SENDER')}?date_from=2020-01-01T00:00:00Z`).then((list) => list.map((cdr) => cdr.id));
  const posts = world.emsp.state.received.filter((push) => push.method === 'POST' && /\/cdrs\/?$/.test(push.path));
  let delivered = 0;
  let duplicatesAfterAck = 0;
  let repostsAfterLostAnswer = 0;
  for (const id of ids) {
    const mine = posts.filter((push) => (push.body as { id?: string } | undefined)?.id === id);
    const applied = mine.filter((push) => push.answer === 'ok' || push.answer === 'slow' || push.answer === 'truncated');
    if (applied.length > 0) delivered += 1;
    let acknowledgedBefore = false;
    let lostBefore = false;
    for (const push of mine) {
      if (acknowledgedBefore) duplicatesAfterAck += 1;
      else if (lostBefore) repostsAfterLostAnswer += 1;
      if (push.answer === 'ok' && push.delivered !== false) acknowledgedBefore = true;
      if (push.answer === 'slow' || push.answer === 'truncated' || (push.answer === 'ok' && push.delivered === false)) lostBefore = true;
    }
    if (applied.length === 0) problems.push(`our CDR ${id} has not reached the eMSP (${mine.length} POSTs, answered ${mine.map((push) => push.answer).join(',') || 'none'})`);
    if (mine.filter((push) => push.answer === 'ok' && push.delivered !== false).length > 1) problems.push(`our CDR ${id} was POSTed again after the eMSP acknowledged it`);
  }
  const foreign = posts.filter((push) => !ids.includes((push.body as { id?: string } | undefined)?.id ?? ''));
  if (foreign.length > 0) problems.push(`${foreign.length} CDR POSTs at the eMSP of CDRs its Sender list does not show`);
  return { ours: ids.length, delivered, duplicatesAfterAck, repostsAfterLostAnswer, totalPosts: posts.length, problems };
}

/** Every object of a gateway Sender list, following `Link` (as a partner pulls). */
export async function pageAll<T>(partner: SimPartner, firstUrl: string): Promise<T[]> {
  const all: T[] = [];
  let url: string | undefined = `${firstUrl}${firstUrl.includes('?') ? '&' : '?'}limit=100`;
  for (let pages = 0; url && pages < 1_000; pages += 1) {
    const answer = await ocpiCall(partner.state.peerToken!, 'GET', url, undefined, 15_000);
    if (answer.status !== 1000 || !Array.isArray(answer.data)) throw new Error(`GET ${url}: HTTP ${answer.http} ${answer.status ?? answer.error ?? ''} ${answer.message ?? ''}`);
    all.push(...(answer.data as T[]));
    url = /<([^>]+)>;\s*rel="next"/.exec(answer.headers?.get('link') ?? '')?.[1];
  }
  return all;
}

export interface EvseViewCheck {
  evses: number;
  /** Per partner eMSP: EVSEs whose status it holds differs from ours. */
  mismatches: Record<string, string[]>;
}

/** Our EVSE statuses as the gateway serves them, against each partner eMSP's view built from our pushes. */
export async function checkEvseViews(world: ChaosWorld, partners: Record<string, SimPartner>): Promise<EvseViewCheck> {
  const locations = await pageAll<Location>(world.healthyEmsp, world.healthyEmsp.peerEndpoint('locations', 'SENDER'));
  const ours = new Map<string, string>();
  for (const location of locations) for (const evse of location.evses ?? []) ours.set(`${location.id}/${evse.uid}`, evse.status);
  const mismatches: EvseViewCheck['mismatches'] = {};
  for (const [name, partner] of Object.entries(partners)) {
    const view = partnerEvseView(partner, world.initialPulls.get(partner));
    mismatches[name] = [...ours].filter(([key, status]) => view.get(key) !== status).map(([key, status]) => `${key}: ours ${status}, theirs ${view.get(key) ?? 'none'}`);
  }
  return { evses: ours.size, mismatches };
}

/**
 * For a run that did not converge: every push a partner received for the location of each
 * mismatching EVSE, in arrival order (method, path, answer, the EVSE's status and last_updated).
 */
export function explainMismatches(views: EvseViewCheck, partners: Record<string, SimPartner>): string[] {
  const lines: string[] = [];
  for (const [name, list] of Object.entries(views.mismatches)) {
    for (const line of list.slice(0, 5)) {
      lines.push(`${name}: ${line}`);
      const [locationId = '', evseUid = ''] = line.split(':')[0]!.split('/');
      for (const push of partners[name]?.state.received ?? []) {
        if (!push.path.includes(`/NL/VLT/${encodeURIComponent(locationId)}`)) continue;
        const body = push.body as Partial<Location> & { status?: string; last_updated?: string };
        const evse = evseUid && !push.path.includes(`/${encodeURIComponent(evseUid)}`) ? body.evses?.find((candidate) => candidate.uid === evseUid) : undefined;
        const state = evse ? `${evse.status} ${evse.last_updated}` : `${body.status ?? '-'} ${body.last_updated ?? ''}`;
        lines.push(`  ${new Date(push.at).toISOString().slice(11, 23)} ${push.method} ${push.path} ${push.answer}: ${state}`);
      }
    }
  }
  return lines;
}

/** What a partner eMSP believes our EVSEs' statuses are: every push it kept (answered or not), in arrival order. */
export function partnerEvseView(partner: SimPartner, initial?: { at: number; statuses: Map<string, string> }): Map<string, string> {
  const view = new Map<string, string>();
  let pulled = false;
  for (const push of partner.state.received) {
    if (initial && !pulled && push.at > initial.at) {
      for (const [key, status] of initial.statuses) view.set(key, status);
      pulled = true;
    }
    if (push.answer === 'error500' || push.answer === 'rateLimited') continue;
    const match = /^\/ocpi\/2\.2\.1\/locations\/NL\/VLT\/([^/?]+)(?:\/([^/?]+))?/.exec(push.path);
    if (!match) continue;
    const [, locationId, evseUid] = match.map((part) => (part ? decodeURIComponent(part) : part));
    const body = push.body as Partial<Location> & { status?: string };
    if (!evseUid) {
      for (const evse of body.evses ?? []) view.set(`${locationId}/${evse.uid}`, evse.status);
    } else if (body.status) {
      view.set(`${locationId}/${evseUid}`, body.status);
    }
  }
  if (initial && !pulled) for (const [key, status] of initial.statuses) view.set(key, status);
  return view;
}

export interface LagCheck {
  lagging: GroupLag[];
  groups: number;
}

/**
 * Consumer groups of the mesh that still lag. The per-process groups of a killed process
 * (`…<uuid>`, e.g. the sessions service's command watch) are left behind empty by design and
 * are not counted.
 */
export async function checkLag(world: ChaosWorld): Promise<LagCheck> {
  const ephemeral = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const lags = await readConsumerLag(world.kafkaBrokers, (group) => !ephemeral.test(group));
  return { lagging: lags.filter((entry) => entry.lag > 0), groups: new Set(lags.map((entry) => entry.group)).size };
}
