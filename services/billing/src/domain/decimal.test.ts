import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { abs, add, compare, decimal, fromNumber, negate, parseDecimal, ratio, round, subtract, sum, toFixed, toNumber, toPlain } from './decimal.js';

const d = (text: string) => decimal(text, 'test');

describe('decimal', () => {
  test('parses decimal strings and JSON numbers exactly, exponents included; refuses the rest', () => {
    assert.equal(toPlain(d('3.0250')), '3.025');
    assert.equal(toPlain(d('-0.0100')), '-0.01');
    assert.equal(toPlain(d('1e-7')), '0.0000001');
    assert.equal(toPlain(d('2.5E3')), '2500');
    assert.equal(toPlain(fromNumber(0.1)), '0.1');
    assert.equal(toPlain(fromNumber(3.025)), '3.025');
    assert.equal(toPlain(fromNumber(1e21)), '1000000000000000000000');
    for (const bad of ['', 'abc', '1.', '.5', '1,5', 'NaN', '--1']) assert.equal(parseDecimal(bad), undefined, `"${bad}" is not a decimal`);
    assert.throws(() => fromNumber(Number.NaN), /finite/);
  });

  test('adds, subtracts, negates and compares without float error', () => {
    assert.equal(toPlain(add(fromNumber(0.1), fromNumber(0.2))), '0.3', '0.1 + 0.2 is 0.3, not 0.30000000000000004');
    assert.equal(toPlain(sum([d('2.5000'), d('0.6050'), d('-0.0050')])), '3.1');
    assert.equal(toPlain(subtract(d('3.025'), d('3.0250'))), '0');
    assert.equal(toPlain(negate(d('1.50'))), '-1.5');
    assert.equal(toPlain(abs(d('-0.02'))), '0.02');
    assert.equal(compare(d('0.010'), d('0.01')), 0);
    assert.equal(compare(d('0.0101'), d('0.01')), 1);
    assert.equal(compare(d('-1'), d('0')), -1);
  });

  test('rounds once, half away from zero, and never prints -0', () => {
    assert.equal(toFixed(d('2.00005'), 4), '2.0001');
    assert.equal(toFixed(d('-2.00005'), 4), '-2.0001');
    assert.equal(toFixed(d('2.00004'), 4), '2.0000');
    assert.equal(toFixed(d('-0.00001'), 4), '0.0000');
    assert.equal(toFixed(d('-0'), 2), '0.00');
    assert.equal(toFixed(d('7'), 2), '7.00');
    assert.equal(toPlain(round(d('0.125'), 2)), '0.13');
    assert.equal(toPlain(ratio(5_400_000n, 3_600_000n, 4)), '1.5');
    assert.equal(toFixed(ratio(1_000n, 3_600_000n, 4), 4), '0.0003', '1 s is 0.000277… h');
    assert.equal(toFixed(ratio(-1n, 3n, 4), 4), '-0.3333');
  });

  test('becomes the JSON number that prints back as the same decimal', () => {
    for (const text of ['3.025', '-3.025', '0.0001', '123456.7891', '0']) assert.equal(JSON.stringify(toNumber(d(text))), text);
    assert.ok(!Object.is(toNumber(d('-0.0000')), -0), 'no negative zero');
  });
});
