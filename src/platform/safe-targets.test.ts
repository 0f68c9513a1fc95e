import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRefusedAddress, type Resolver, resolveTarget, urlShapeProblem } from './safe-targets.ts';

describe('safe targets', () => {
  it('refuses every address that is not a public one, IPv4 and IPv6', () => {
    const refused = [
      '127.0.0.1',
      '127.8.9.10',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.100.100.200',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.10',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '::127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      'fc00::1',
      'fd00:ec2::254',
      'fe80::1',
      'ff02::1',
      '2001:db8::1',
      '2002:7f00:1::1',
      '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      'not an address',
    ];
    for (const address of refused) assert.equal(isRefusedAddress(address), true, address);
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111'])
      assert.equal(isRefusedAddress(address), false, address);
  });

  it('checks the form of a URL: https in production, no credentials', () => {
    assert.equal(urlShapeProblem('https://hooks.example/x', true), undefined);
    assert.equal(urlShapeProblem('http://hooks.example/x', true), 'webhook_url_https');
    assert.equal(urlShapeProblem('http://hooks.example/x', false), undefined);
    assert.equal(urlShapeProblem('ftp://hooks.example/x', false), 'webhook_url_invalid');
    assert.equal(urlShapeProblem('hooks.example/x', false), 'webhook_url_invalid');
    assert.equal(urlShapeProblem('javascript:alert(1)', false), 'webhook_url_invalid');
    assert.equal(urlShapeProblem('https://user:pw@hooks.example/', false), 'webhook_url_credentials');
    assert.equal(urlShapeProblem(`https://hooks.example/${'a'.repeat(2100)}`, false), 'webhook_url_invalid');
  });

  it('resolves names and refuses one that has a private address among public ones', async () => {
    const names: Record<string, string[]> = {
      'public.example': ['93.184.216.34'],
      'mixed.example': ['93.184.216.34', '10.0.0.1'],
      'metadata.example': ['169.254.169.254'],
    };
    const resolve: Resolver = async (host) => {
      const found = names[host];
      if (!found) throw new Error('ENOTFOUND');
      return found.map((address) => ({ address, family: 4 as const }));
    };
    const policy = { production: false, allowPrivate: false, resolve };
    const resolved = await resolveTarget('http://public.example/h', policy);
    assert.deepEqual(resolved.ok && resolved.address, { address: '93.184.216.34', family: 4 });
    for (const url of [
      'http://mixed.example/',
      'http://metadata.example/',
      'http://127.0.0.1:8080/',
      'http://[::1]/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::ffff:169.254.169.254]/',
    ])
      assert.deepEqual(
        await resolveTarget(url, policy),
        { ok: false, rule: 'webhook_url_private_target' },
        url,
      );
    assert.deepEqual(await resolveTarget('http://nowhere.example/', policy), {
      ok: false,
      rule: 'webhook_url_unresolvable',
    });
    const allowed = await resolveTarget('http://127.0.0.1:8080/', { ...policy, allowPrivate: true });
    assert.equal(allowed.ok, true);
  });
});
