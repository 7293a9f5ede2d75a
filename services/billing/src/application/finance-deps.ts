import { invalidArgument } from '@voltmesh/errors';
import type { CdrStore } from '../adapters/cdr-store.js';
import type { ReconciliationStore } from '../adapters/reconciliation-store.js';
import type { Party } from '../domain/cdr-record.js';
import type { PartnerConnections } from './ports.js';

/** Bounds of the finance reads (see the README: what a read costs). */
export interface FinanceLimits {
  /** CDR documents per round trip of a period scan. */
  scanBatch: number;
  /** The most CDRs one answer may hold; beyond: FAILED_PRECONDITION, ask for a shorter period. */
  maxCdrs: number;
  /** The largest ExportCsv chunk, UTF-8 bytes (≤ 64 KiB). */
  csvChunkBytes: number;
}

/** What the FinanceService use cases read from. */
export interface FinanceDeps {
  cdrs: Pick<CdrStore, 'scanEndingIn'>;
  disputes: Pick<ReconciliationStore, 'openDisputes'>;
  partners: PartnerConnections;
  /** Our eMSP parties (OWN_PARTIES): their drivers are invoiced, their CDRs at our CPO not settled. */
  ownEmspParties: readonly Party[];
  limits: FinanceLimits;
}

const CONTRACT_MAX = 36;

/** A driver contract id (OCPI CiString(36)): required, upper case. */
export function contractField(value: string): string {
  const contract = value.trim();
  if (!contract) throw invalidArgument('contract_id: required');
  if (contract.length > CONTRACT_MAX || !/^[\x20-\x7e]+$/.test(contract)) throw invalidArgument(`contract_id: at most ${CONTRACT_MAX} printable ASCII characters (OCPI CiString(36))`);
  return contract.toUpperCase();
}

/** An optional party: absent when both parts are empty, INVALID_ARGUMENT when only one is given or either is malformed. */
export function optionalParty(ref: { countryCode: string; partyId: string } | undefined, field: string): Party | undefined {
  const countryCode = ref?.countryCode.trim().toUpperCase() ?? '';
  const partyId = ref?.partyId.trim().toUpperCase() ?? '';
  if (!countryCode && !partyId) return undefined;
  if (!/^[A-Z]{2}$/.test(countryCode) || !/^[A-Z0-9]{3}$/.test(partyId)) throw invalidArgument(`${field}: country_code (2 letters) and party_id (3 characters) are both required`);
  return { country_code: countryCode, party_id: partyId };
}
