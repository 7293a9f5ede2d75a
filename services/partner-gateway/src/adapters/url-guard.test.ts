import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrivateAddress, refusedPartnerUrl } from './url-guard.js';

test('loopback, private, link-local and mapped addresses are private; public ones are not', () => {
  for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '198.18.0.1', '239.1.1.1', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '::a00:1']) {
    assert.equal(isPrivateAddress(address), true, address);
  }
  for (const address of ['8.8.8.8', '172.32.0.1', '2001:db8::1', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(address), false, address);
});

test('a response_url is refused when it is not http(s) or points at a private address, unless allowed', async () => {
  const resolve = async (host: string) => (host === 'evil.example' ? ['10.0.0.5'] : ['93.184.216.34']);
  assert.match((await refusedPartnerUrl('http://127.0.0.1:9000/r', false, resolve)) ?? '', /private or loopback/);
  assert.match((await refusedPartnerUrl('https://[::1]/r', false, resolve)) ?? '', /private or loopback/);
  assert.match((await refusedPartnerUrl('https://evil.example/r', false, resolve)) ?? '', /evil.example is 10.0.0.5/);
  assert.match((await refusedPartnerUrl('ftp://partner.example/r', false, resolve)) ?? '', /http\(s\)/);
  assert.equal(await refusedPartnerUrl('https://partner.example/r', false, resolve), undefined);
  assert.equal(await refusedPartnerUrl('http://127.0.0.1:9000/r', true, resolve), undefined);
  assert.match((await refusedPartnerUrl('https://nowhere.invalid/r', false, async () => Promise.reject(new Error('ENOTFOUND')))) ?? '', /does not resolve/);
});
