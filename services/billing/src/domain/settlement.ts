import { notFound } from '@voltmesh/errors';
import type { Party } from './cdr-record.js';
import { add, parseDecimal, subtract, ZERO, type Decimal } from './decimal.js';
import { compareText, partyText, type FinanceCdr } from './finance-cdr.js';
import type { Period } from './finance-period.js';
import type { DisputeRecord } from './reconciliation.js';

/** A partner connection as the gateway lists it (PartnerService.ListConnections): its roles and parties. */
export interface PartnerConnectionInfo {
  id: string;
  state: 'PENDING' | 'REGISTERED' | 'UNREGISTERED' | 'UNSPECIFIED';
  created_at: string;
  roles: readonly { role: string; party: Party }[];
}

const STATE_RANK: Record<PartnerConnectionInfo['state'], number> = { REGISTERED: 0, PENDING: 1, UNREGISTERED: 2, UNSPECIFIED: 3 };

/**
 * Which partner connection holds which party. When several connections list the same party
 * (a partner that registered again), the REGISTERED one wins, then the most recently created,
 * then the smallest id: deterministic, whatever order the gateway lists them in.
 */
export class PartnerDirectory {
  private readonly connections: PartnerConnectionInfo[];

  constructor(connections: readonly PartnerConnectionInfo[]) {
    this.connections = [...connections].sort(
      (a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || compareText(b.created_at, a.created_at) || compareText(a.id, b.id),
    );
  }

  /** The connection holding `party` in one of `roles` (OCPI roles, e.g. ['EMSP']). */
  connectionOf(party: Party, roles: readonly string[]): string | undefined {
    return this.connections.find((connection) => connection.roles.some((held) => roles.includes(held.role) && partyText(held.party) === partyText(party)))?.id;
  }

  knows(connectionId: string): boolean {
    return this.connections.some((connection) => connection.id === connectionId);
  }

  /**
   * The party a connection's settlement is shown under: the smallest `CC*PID` of its CPO and eMSP
   * roles (else of any role); undefined for a connection we do not know or that lists none.
   */
  representative(connectionId: string): Party | undefined {
    const connection = this.connections.find((candidate) => candidate.id === connectionId);
    if (!connection) return undefined;
    const trading = connection.roles.filter((held) => held.role === 'CPO' || held.role === 'EMSP');
    return smallestParty((trading.length > 0 ? trading : connection.roles).map((held) => held.party));
  }
}

function smallestParty(parties: readonly Party[]): Party | undefined {
  return [...parties].sort((a, b) => compareText(partyText(a), partyText(b)))[0];
}

/** Who a settlement is with: a partner connection, or (no connection holds it) a bare party. */
export type SettlementUnit = { kind: 'connection'; connection_id: string } | { kind: 'party'; party: Party };

const unitKey = (unit: SettlementUnit): string => (unit.kind === 'connection' ? `C:${unit.connection_id}` : `P:${partyText(unit.party)}`);

/**
 * The partner a CDR is settled with, or undefined when it is not settled with anyone:
 * - received (role EMSP, we owe: payable): the connection that posted it (`connection_id`);
 * - issued by our CPO (role CPO, we are owed: receivable): the connection holding the token's
 *   eMSP party in role EMSP; when none does, the eMSP party itself (a party behind a hub, or a
 *   partner the gateway no longer lists); not settled when the eMSP is one of ours (our own
 *   drivers at our own chargers are invoiced, not settled).
 */
export function settlementUnitOf(cdr: Pick<FinanceCdr, 'role' | 'connection_id' | 'cpo' | 'emsp'>, directory: PartnerDirectory, ownEmspParties: readonly Party[]): SettlementUnit | undefined {
  if (cdr.role === 'EMSP') return cdr.connection_id ? { kind: 'connection', connection_id: cdr.connection_id } : { kind: 'party', party: cdr.cpo };
  if (ownEmspParties.some((party) => partyText(party) === partyText(cdr.emsp))) return undefined;
  const connection = directory.connectionOf(cdr.emsp, ['EMSP']);
  return connection ? { kind: 'connection', connection_id: connection } : { kind: 'party', party: cdr.emsp };
}

/** Which settlements a request asks for. */
export type SettlementSelection = { kind: 'all' } | { kind: 'connection'; connection_id: string } | { kind: 'party'; party: Party };

export interface SettlementAmount {
  currency: string;
  payable_cdrs: number;
  payable_excl_vat: Decimal;
  payable_incl_vat: Decimal;
  receivable_cdrs: number;
  receivable_excl_vat: Decimal;
  receivable_incl_vat: Decimal;
  /** receivable − payable, incl. VAT: positive means the partner owes us. */
  net_incl_vat: Decimal;
  /** Σ (charged − expected) of the open disputes on payable CDRs. */
  disputed_incl_vat: Decimal;
  /** Open disputes on payable CDRs in this currency. */
  open_disputes: number;
}

export interface Settlement {
  connection_id: string;
  party: Party | undefined;
  period: Period;
  amounts: SettlementAmount[];
  open_disputes: number;
}

interface UnitTally {
  unit: SettlementUnit;
  /** CPO parties of the payable CDRs: the party shown when the gateway does not know the connection. */
  payableParties: Party[];
  amounts: Map<string, SettlementAmount>;
}

const emptyAmount = (currency: string): SettlementAmount => ({
  currency,
  payable_cdrs: 0,
  payable_excl_vat: ZERO,
  payable_incl_vat: ZERO,
  receivable_cdrs: 0,
  receivable_excl_vat: ZERO,
  receivable_incl_vat: ZERO,
  net_incl_vat: ZERO,
  disputed_incl_vat: ZERO,
  open_disputes: 0,
});

/** The unit a selection names (a party held by a connection selects that connection's settlement). */
function selectedUnit(selection: SettlementSelection, directory: PartnerDirectory): SettlementUnit | undefined {
  switch (selection.kind) {
    case 'all':
      return undefined;
    case 'connection':
      return { kind: 'connection', connection_id: selection.connection_id };
    case 'party': {
      const connection = directory.connectionOf(selection.party, ['CPO', 'EMSP']);
      return connection ? { kind: 'connection', connection_id: connection } : { kind: 'party', party: selection.party };
    }
  }
}

/**
 * Settlements of the period's CDRs (all roles; see settlementUnitOf for who each is settled
 * with), per currency (never converted): counts and exact sums of total_cost excl. and incl. VAT
 * (credit CDRs count, negative), net = receivable − payable incl. VAT, and the open disputes on
 * the payable CDRs with Σ difference (charged − expected; a dispute we could not price has no
 * difference: counted, not summed). Amounts ordered by currency; settlements by party
 * (`CC*PID`), then connection id. A selected connection nobody knows (neither the gateway nor a
 * CDR of the period) is NOT_FOUND; a selected party always gets its settlement, empty or not.
 */
export function buildSettlements(
  cdrs: readonly FinanceCdr[],
  openDisputes: ReadonlyMap<string, Pick<DisputeRecord, 'difference_incl_vat'>>,
  directory: PartnerDirectory,
  ownEmspParties: readonly Party[],
  selection: SettlementSelection,
  period: Period,
): Settlement[] {
  const wanted = selectedUnit(selection, directory);
  const tallies = new Map<string, UnitTally>();
  const tallyOf = (unit: SettlementUnit): UnitTally => {
    const key = unitKey(unit);
    let tally = tallies.get(key);
    if (!tally) {
      tally = { unit, payableParties: [], amounts: new Map() };
      tallies.set(key, tally);
    }
    return tally;
  };
  if (wanted) tallyOf(wanted);

  for (const cdr of cdrs) {
    const unit = settlementUnitOf(cdr, directory, ownEmspParties);
    if (!unit || (wanted && unitKey(unit) !== unitKey(wanted))) continue;
    const tally = tallyOf(unit);
    const amount = tally.amounts.get(cdr.currency) ?? emptyAmount(cdr.currency);
    tally.amounts.set(cdr.currency, amount);
    if (cdr.role === 'EMSP') {
      tally.payableParties.push(cdr.cpo);
      amount.payable_cdrs += 1;
      amount.payable_excl_vat = add(amount.payable_excl_vat, cdr.excl_vat);
      amount.payable_incl_vat = add(amount.payable_incl_vat, cdr.incl_vat);
      const dispute = openDisputes.get(cdr.key);
      if (dispute) {
        amount.open_disputes += 1;
        const difference = parseDecimal(dispute.difference_incl_vat);
        if (dispute.difference_incl_vat && difference) amount.disputed_incl_vat = add(amount.disputed_incl_vat, difference);
      }
    } else {
      amount.receivable_cdrs += 1;
      amount.receivable_excl_vat = add(amount.receivable_excl_vat, cdr.excl_vat);
      amount.receivable_incl_vat = add(amount.receivable_incl_vat, cdr.incl_vat);
    }
  }

  if (wanted?.kind === 'connection' && !directory.knows(wanted.connection_id) && (tallies.get(unitKey(wanted))?.amounts.size ?? 0) === 0) {
    throw notFound(`unknown connection ${wanted.connection_id}: the gateway does not list it and no CDR of the period came through it`);
  }

  return [...tallies.values()]
    .map((tally): Settlement => {
      const amounts = [...tally.amounts.values()]
        .sort((a, b) => compareText(a.currency, b.currency))
        .map((amount) => ({ ...amount, net_incl_vat: subtract(amount.receivable_incl_vat, amount.payable_incl_vat) }));
      return {
        connection_id: tally.unit.kind === 'connection' ? tally.unit.connection_id : '',
        party: tally.unit.kind === 'party' ? tally.unit.party : (directory.representative(tally.unit.connection_id) ?? smallestParty(tally.payableParties)),
        period,
        amounts,
        open_disputes: amounts.reduce((count, amount) => count + amount.open_disputes, 0),
      };
    })
    .sort((a, b) => compareText(a.party ? partyText(a.party) : '', b.party ? partyText(b.party) : '') || compareText(a.connection_id, b.connection_id));
}
