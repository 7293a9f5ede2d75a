import { AppError, invalidArgument } from '@voltmesh/errors';
import { cdrSchema, parseJsonField } from '@voltmesh/ocpi';
import type { billingService, cdrs } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CdrStore } from '../adapters/cdr-store.js';
import { cdrKey, type CdrRecord } from '../domain/cdr-record.js';
import { fromNumber, toPlain } from '../domain/decimal.js';
import type { DisputeRecord } from '../domain/reconciliation.js';
import type { CdrViews } from './cdr-views.js';
import type { CdrWriter } from './cdr-writer.js';
import type { Reconciler } from './reconciler.js';

export interface ReceivePartnerCdrDeps {
  store: CdrStore;
  writer: CdrWriter;
  reconciler: Reconciler;
  views: CdrViews;
  logger: Logger;
  clock?: () => Date;
}

/**
 * A partner CPO POSTed a CDR to our eMSP (the gateway already checked the party and the token).
 * Parsed again (input from outside), stored insert-if-absent under `CC*PID*ID`, reconciled, then
 * announced (CdrCreated, role EMSP). A CDR id the CPO party already used is ALREADY_EXISTS and
 * changes nothing, whatever the body. Storing is what the partner's answer waits for:
 * reconciliation never fails the call (tariffs unreachable: the CDR stays pending and is
 * retried by the sweeper), nor does a failed publish (the republisher repairs it).
 */
export async function receivePartnerCdr(deps: ReceivePartnerCdrDeps, request: billingService.ReceivePartnerCdrRequest): Promise<{ cdr: cdrs.Cdr; dispute?: DisputeRecord }> {
  const { cpo, connectionId } = request;
  if (!cpo?.countryCode || !cpo.partyId) throw invalidArgument('cpo: country_code and party_id required');
  if (!connectionId) throw invalidArgument('connection_id: required');
  if (request.receivedAt && Number.isNaN(Date.parse(request.receivedAt))) throw invalidArgument('received_at: must be an RFC 3339 date-time');
  const cdr = parseJsonField(cdrSchema, request.ocpiJson, 'ocpi_json');
  const party = { country_code: cpo.countryCode.toUpperCase(), party_id: cpo.partyId.toUpperCase() };
  if (cdr.country_code !== party.country_code || cdr.party_id !== party.party_id) {
    throw invalidArgument(`ocpi_json.country_code/party_id: the CDR is of ${cdr.country_code}*${cdr.party_id}, posted by ${party.country_code}*${party.party_id}`);
  }
  const key = cdrKey(party, cdr.id);
  const alreadyExists = (stored: CdrRecord | undefined) =>
    new AppError('ALREADY_EXISTS', `CDR ${key} was already received${stored ? ` (${stored.created_at})` : ''}: a CDR is never changed; send a credit CDR and a new CDR to correct it`);
  const existing = await deps.store.get(key);
  if (existing) throw alreadyExists(existing);

  const now = (deps.clock ?? (() => new Date()))();
  const record: CdrRecord = {
    key,
    role: 'EMSP',
    cpo: party,
    id: cdr.id,
    emsp: { country_code: cdr.cdr_token.country_code, party_id: cdr.cdr_token.party_id },
    contract_id: cdr.cdr_token.contract_id,
    session_id: cdr.session_id ?? '',
    currency: cdr.currency,
    total_cost_excl_vat: toPlain(fromNumber(cdr.total_cost.excl_vat)),
    total_cost_incl_vat: cdr.total_cost.incl_vat === undefined ? '' : toPlain(fromNumber(cdr.total_cost.incl_vat)),
    credit: cdr.credit ?? false,
    credit_reference_id: cdr.credit_reference_id ?? '',
    connection_id: connectionId,
    created_at: now.toISOString(),
    end_date_time: cdr.end_date_time,
    pricing_json: '',
    // Exactly as received: the partner's CDR is the billing document, never rewritten.
    ocpi_json: request.ocpiJson,
  };
  // Due before stored: a crash between the two leaves an entry the sweeper drops, never a stored
  // CDR nobody reconciles (nothing else finds unreconciled CDRs without scanning them all). So
  // every receipt racing on one key schedules it before the insert picks the winner; schedule
  // takes concurrent upserts of one entry, and a loser's entry only makes the sweeper look at the
  // CDR once more (it finds the outcome stored and clears it).
  await deps.reconciler.schedule(key);
  const [inserted] = await deps.writer.insert([record]);
  if (!inserted) throw alreadyExists(await deps.store.get(key));

  let dispute: DisputeRecord | undefined;
  try {
    const outcome = await deps.reconciler.reconcile(key);
    if (outcome.status === 'DONE') dispute = outcome.dispute;
  } catch (error) {
    deps.logger.warn({ err: error, cdr: key }, 'reconciliation failed; the sweeper retries it');
  }
  await deps.writer.publish([inserted]);
  return { cdr: await deps.views.view(inserted), ...(dispute ? { dispute } : {}) };
}

