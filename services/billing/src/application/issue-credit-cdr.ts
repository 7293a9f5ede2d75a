import { failedPrecondition, internal, invalidArgument, notFound } from '@voltmesh/errors';
import { cdrSchema, parseJsonField } from '@voltmesh/ocpi';
import type { billingService, cdrs } from '@voltmesh/proto';
import type { CdrStore } from '../adapters/cdr-store.js';
import { cdrKey, creditIdFor, type CdrRecord } from '../domain/cdr-record.js';
import { validateCdr } from '../domain/cpo-cdr.js';
import { creditCdr, creditCdrRecord } from '../domain/credit-cdr.js';
import type { CdrViews } from './cdr-views.js';
import type { CdrWriter } from './cdr-writer.js';

const REMARK_MAX = 255;

/**
 * Finance corrects one of our issued CDRs with its credit CDR (id + "-C", money negated, see
 * domain/credit-cdr.ts), stored once and announced like any CDR. A second call returns the
 * stored credit with created=false. Unknown CDR: NOT_FOUND; a partner's CDR, a credit CDR, or a
 * "-C" id already taken by another CDR: FAILED_PRECONDITION.
 */
export async function issueCreditCdr(
  deps: { store: CdrStore; writer: CdrWriter; views: CdrViews; clock?: () => Date },
  request: billingService.IssueCreditCdrRequest,
): Promise<{ cdr: cdrs.Cdr; created: boolean }> {
  const { cpo } = request;
  if (!cpo?.countryCode || !cpo.partyId) throw invalidArgument('cpo: country_code and party_id required');
  if (!request.cdrId) throw invalidArgument('cdr_id: required');
  const reason = request.reason.trim();
  if (!reason) throw invalidArgument('reason: required (it becomes the credit CDR remark)');
  if (reason.length > REMARK_MAX || /\p{Cc}/u.test(reason)) throw invalidArgument(`reason: at most ${REMARK_MAX} characters, no control characters (OCPI remark)`);

  const party = { country_code: cpo.countryCode.toUpperCase(), party_id: cpo.partyId.toUpperCase() };
  const key = cdrKey(party, request.cdrId);
  const original = await deps.store.get(key);
  if (!original) throw notFound(`unknown CDR ${key}`);
  if (original.role !== 'CPO') throw failedPrecondition(`CDR ${key} was received from a partner CPO: only CDRs our CPO issued can be credited`);
  if (original.credit) throw failedPrecondition(`CDR ${key} is itself a credit CDR (of ${original.credit_reference_id}): it cannot be credited`);

  const creditKey = cdrKey(party, creditIdFor(original.id));
  const stored = await deps.store.get(creditKey);
  if (stored) return { cdr: await deps.views.view(ofOriginal(stored, original)), created: false };

  const credit = validateCdr(creditCdr(parseJsonField(cdrSchema, original.ocpi_json, `stored CDR ${key}: ocpi_json`, internal), reason, (deps.clock ?? (() => new Date()))().toISOString()));
  const record = creditCdrRecord(original, credit);
  const [inserted] = await deps.writer.insert([record]);
  if (!inserted) {
    // Another call stored it first.
    const winner = await deps.store.get(creditKey);
    if (!winner) throw internal(`credit CDR ${creditKey} neither inserted nor found`);
    return { cdr: await deps.views.view(ofOriginal(winner, original)), created: false };
  }
  await deps.writer.publish([inserted]);
  return { cdr: await deps.views.view(inserted), created: true };
}

/** The CDR stored under the credit id must be the credit of this original. */
function ofOriginal(stored: CdrRecord, original: CdrRecord): CdrRecord {
  if (!stored.credit || stored.credit_reference_id !== original.id) throw failedPrecondition(`CDR id ${stored.id} is taken by another CDR: ${original.id} cannot be credited under it`);
  return stored;
}
