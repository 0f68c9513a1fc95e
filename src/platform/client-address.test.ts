import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { clientAddress, clientKey, UNKNOWN_CLIENT } from './client-address.ts';

function appTrusting(trustProxy: boolean) {
  return new Hono().get('/', (c) => c.text(clientAddress(c, trustProxy)));
}

/** What @hono/node-server hands the app: the Node request, with its socket. */
const served = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress, remoteFamily: 'IPv6' } } });

async function seen(trustProxy: boolean, headers: Record<string, string>, env?: object): Promise<string> {
  return (await appTrusting(trustProxy).request('/', { headers }, env)).text();
}

describe('client address', () => {
  it('is the socket peer, and "unknown" without a socket (app.request in tests)', async () => {
    assert.equal(await seen(false, {}, served('::ffff:192.0.2.1')), '192.0.2.1');
    assert.equal(await seen(false, {}), UNKNOWN_CLIENT);
  });

  it('ignores X-Forwarded-For unless told a proxy is in front', async () => {
    const headers = { 'X-Forwarded-For': '198.51.100.1' };
    assert.equal(await seen(false, headers, served('192.0.2.1')), '192.0.2.1');
    assert.equal(await seen(false, headers), UNKNOWN_CLIENT);
  });

  it('behind a proxy, takes the entry the proxy appended (the last), not what the caller wrote', async () => {
    const headers = { 'X-Forwarded-For': '10.9.9.9, 198.51.100.1' };
    assert.equal(await seen(true, headers, served('192.0.2.1')), '198.51.100.1');
    // A missing or malformed entry falls back to the socket.
    assert.equal(await seen(true, { 'X-Forwarded-For': 'nonsense' }, served('192.0.2.1')), '192.0.2.1');
    assert.equal(await seen(true, {}, served('192.0.2.1')), '192.0.2.1');
  });

  it('counts an IPv6 client as its /64 network', () => {
    assert.equal(clientKey('2001:db8:0:1::5'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:0db8:0000:0001:ffff:0:0:9'), '2001:db8:0:1::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
    assert.equal(clientKey('::ffff:198.51.100.7'), '198.51.100.7');
    assert.equal(clientKey('198.51.100.7'), '198.51.100.7');
    assert.equal(clientKey('not an address'), undefined);
    assert.equal(clientKey('1:2:3:4:5:6:7:8:9'), undefined);
  });
});
