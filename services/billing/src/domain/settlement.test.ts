import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import type { Party } from './cdr-record.js';
import { decimal } from './decimal.js';
import { figureText, type FinanceCdr } from './finance-cdr.js';
import type { Period } from './finance-period.js';
import { buildSettlements, PartnerDirectory, settlementUnitOf, type PartnerConnectionInfo, type Settlement, type SettlementSelection } from './settlement.js';
import { aFinanceCdr } from './test-builders.js';

const period: Period = { start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' };
const d = (text: string) => decimal(text, 'test');
const party = (text: string): Party => ({ country_code: text.slice(0, 2), party_id: text.slice(3) });
const OUR_CPO = party('NL*VLT');
const OUR_EMSP = party('NL*VLM');

const connection = (id: string, roles: [string, string][], overrides: Partial<PartnerConnectionInfo> = {}): PartnerConnectionInfo => ({
  id,
  state: 'REGISTERED',
  created_at: '2025-06-01T00:00:00.000Z',
  roles: roles.map(([role, text]) => ({ role, party: party(text) })),
  ...overrides,
});
const directory = new PartnerDirectory([connection('conn-de', [['CPO', 'DE*PCO'], ['EMSP', 'DE*PEM']]), connection('conn-fr', [['EMSP', 'FR*FEM']])]);

/** What partner DE*PCO's CPO charged our drivers (payable). */
const payable = (id: string, excl: string, incl: string, overrides: Partial<FinanceCdr> = {}) =>
  aFinanceCdr({ role: 'EMSP', cpo: party('DE*PCO'), id, emsp: OUR_EMSP, connection_id: 'conn-de', excl_vat: d(excl), incl_vat: d(incl), ...overrides });
/** What our CPO charged a partner eMSP's drivers (receivable). */
const receivable = (id: string, emsp: string, excl: string, incl: string, overrides: Partial<FinanceCdr> = {}) =>
  aFinanceCdr({ role: 'CPO', cpo: OUR_CPO, id, emsp: party(emsp), excl_vat: d(excl), incl_vat: d(incl), ...overrides });

const settle = (cdrs: FinanceCdr[], disputes: [string, string][] = [], selection: SettlementSelection = { kind: 'all' }, dir = directory) =>
  buildSettlements(cdrs, new Map(disputes.map(([key, difference]) => [key, { difference_incl_vat: difference }])), dir, [OUR_EMSP], selection, period);

/** A settlement as finance reads it: who, then per currency [currency, payable n/excl/incl, receivable n/excl/incl, net, disputed, open]. */
const shown = (settlement: Settlement | undefined) =>
  settlement && {
    with: `${settlement.connection_id}|${settlement.party ? `${settlement.party.country_code}*${settlement.party.party_id}` : ''}`,
    amounts: settlement.amounts.map((a) => [
      a.currency,
      a.payable_cdrs,
      figureText(a.payable_excl_vat),
      figureText(a.payable_incl_vat),
      a.receivable_cdrs,
      figureText(a.receivable_excl_vat),
      figureText(a.receivable_incl_vat),
      figureText(a.net_incl_vat),
      figureText(a.disputed_incl_vat),
      a.open_disputes,
    ]),
    open: settlement.open_disputes,
  };

describe('settlement', () => {
  test('payable is what the connection sent us, receivable what our CPO issued for its eMSP parties; net = receivable − payable incl. VAT, per currency', () => {
    const cdrs = [
      payable('P1', '2.5', '3.025'),
      payable('P2', '3', '3.63'),
      payable('P3', '1.1', '1.1', { currency: 'CHF', states_incl_vat: false }),
      payable('P2-C', '-3', '-3.63', { credit: true, credit_reference_id: 'P2' }),
      receivable('R1', 'DE*PEM', '10.0000', '12.1000'),
      receivable('R2', 'DE*PEM', '0.3333', '0.4033'),
    ];
    const [settlement, ...others] = settle(cdrs, [['DE*PCO*P1', '0.605'], ['DE*PCO*P3', '']]);
    assert.equal(others.length, 0, 'one partner');
    assert.deepEqual(shown(settlement), {
      with: 'conn-de|DE*PCO',
      amounts: [
        ['CHF', 1, '1.1000', '1.1000', 0, '0.0000', '0.0000', '-1.1000', '0.0000', 1],
        ['EUR', 3, '2.5000', '3.0250', 2, '10.3333', '12.5033', '9.4783', '0.6050', 1],
      ],
      open: 2,
    });
  });

  test('own drivers at our own CPO are not settled; an eMSP no connection holds is settled as its party; ordered by party', () => {
    const cdrs = [
      receivable('R1', 'NL*VLM', '5', '6.05'),
      receivable('R2', 'FR*FEM', '1', '1.2'),
      receivable('R3', 'BE*HUB', '2', '2.42'),
      payable('P1', '1', '1.21'),
    ];
    const settlements = settle(cdrs);
    assert.deepEqual(settlements.map((settlement) => shown(settlement)?.with), ['|BE*HUB', 'conn-de|DE*PCO', 'conn-fr|FR*FEM']);
    assert.deepEqual(shown(settlements[0])?.amounts, [['EUR', 0, '0.0000', '0.0000', 1, '2.0000', '2.4200', '2.4200', '0.0000', 0]]);
    assert.equal(
      settlements.every((settlement) => settlement.amounts.every((amount) => amount.receivable_cdrs + amount.payable_cdrs === 1)),
      true,
      'R1 (our own driver) is nowhere',
    );
  });

  test('a connection the gateway does not know is shown under its CDRs\' smallest CPO party', () => {
    const cdrs = [payable('P1', '1', '1.21', { connection_id: 'conn-gone', cpo: party('IT*ZZZ') }), payable('P2', '1', '1.21', { connection_id: 'conn-gone', cpo: party('IT*AAA') })];
    assert.equal(shown(settle(cdrs)[0])?.with, 'conn-gone|IT*AAA');
  });

  test('a selected connection or party gets its settlement only; a party held by a connection selects that connection', () => {
    const cdrs = [payable('P1', '1', '1.21'), receivable('R1', 'FR*FEM', '1', '1.2'), receivable('R2', 'BE*HUB', '2', '2.42')];
    assert.deepEqual(settle(cdrs, [], { kind: 'connection', connection_id: 'conn-fr' }).map((s) => shown(s)?.with), ['conn-fr|FR*FEM']);
    assert.deepEqual(settle(cdrs, [], { kind: 'party', party: party('DE*PEM') }).map((s) => shown(s)?.with), ['conn-de|DE*PCO'], 'its eMSP party');
    assert.deepEqual(settle(cdrs, [], { kind: 'party', party: party('BE*HUB') }).map((s) => shown(s)?.with), ['|BE*HUB']);
    const empty = settle(cdrs, [], { kind: 'party', party: party('PT*NON') });
    assert.deepEqual([shown(empty[0])?.with, empty[0]?.amounts.length], ['|PT*NON', 0], 'a party without CDRs: an empty settlement');
    const known = settle([], [], { kind: 'connection', connection_id: 'conn-de' });
    assert.deepEqual([shown(known[0])?.with, known[0]?.amounts.length], ['conn-de|DE*PCO', 0], 'a known connection without CDRs: an empty settlement');
    assert.throws(
      () => settle(cdrs, [], { kind: 'connection', connection_id: 'conn-nobody' }),
      (error: unknown) => error instanceof AppError && error.code === 'NOT_FOUND' && /unknown connection conn-nobody/.test(error.message),
    );
  });

  test('when connections share a party, the registered one wins, then the newest; the shown party is the smallest trading one', () => {
    const shared = new PartnerDirectory([
      connection('old', [['EMSP', 'DE*PEM']], { state: 'UNREGISTERED', created_at: '2026-01-01T00:00:00.000Z' }),
      connection('b', [['EMSP', 'DE*PEM']], { created_at: '2024-01-01T00:00:00.000Z' }),
      connection('a', [['HUB', 'AA*HUB'], ['EMSP', 'DE*PEM'], ['CPO', 'DE*ZZZ']], { created_at: '2025-01-01T00:00:00.000Z' }),
    ]);
    assert.deepEqual(settlementUnitOf(receivable('R', 'DE*PEM', '1', '1'), shared, [OUR_EMSP]), { kind: 'connection', connection_id: 'a' });
    assert.deepEqual(shared.representative('a'), party('DE*PEM'), 'HUB roles are not trading parties');
    assert.equal(shared.representative('nope'), undefined);
  });
});
