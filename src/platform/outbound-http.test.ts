import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createOutboundHttp, retryAfterSeconds } from './outbound-http.ts';

describe('the outbound HTTP client', () => {
  let server: Server;
  let port = 0;
  const connections: number[] = [];
  const hanging: (() => void)[] = [];

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      if (req.url === '/hang') {
        hanging.push(() => res.end());
        return;
      }
      if (req.url === '/big') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`é${'x'.repeat(5000)}`);
        return;
      }
      res.writeHead(req.url === '/redirect' ? 302 : 200, { location: '/elsewhere' });
      res.end(req.headers.host ?? '');
    });
    server.on('connection', () => connections.push(Date.now()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const release of hanging) release();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (client: ReturnType<typeof createOutboundHttp>, path: string, timeoutMs = 5000) =>
    client.post({ url: `http://hooks.test:${port}${path}`, headers: {}, body: '{}', timeoutMs });

  it('connects to the address it resolved and checked, keeps the connection alive, and follows no redirect', async () => {
    const client = createOutboundHttp({
      production: false,
      allowPrivate: true,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    try {
      const before = connections.length;
      const first = await post(client, '/ok');
      const second = await post(client, '/ok');
      assert.equal(first.kind, 'answered');
      assert.equal(
        first.kind === 'answered' && first.excerpt,
        `hooks.test:${port}`,
        'the Host header is the name',
      );
      assert.equal(second.kind === 'answered' && second.status, 200);
      assert.equal(connections.length - before, 1, 'one kept-alive connection for both');
      const redirected = await post(client, '/redirect');
      assert.equal(redirected.kind === 'answered' && redirected.status, 302);
    } finally {
      client.close();
    }
  });

  it('keeps the first 2 KB of an answer, and gives up after its deadline', async () => {
    const client = createOutboundHttp({
      production: false,
      allowPrivate: true,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    try {
      const big = await post(client, '/big');
      assert.equal(big.kind, 'answered');
      if (big.kind === 'answered') {
        assert.equal(Buffer.byteLength(big.excerpt), 2048);
        assert.equal(big.excerpt.startsWith('é'), true);
      }
      const hung = await post(client, '/hang', 200);
      assert.deepEqual(
        { kind: hung.kind, error: hung.kind === 'failed' && hung.error },
        {
          kind: 'failed',
          error: 'timeout',
        },
      );
    } finally {
      client.close();
    }
  });

  it('refuses a private target without connecting, unless private targets are allowed', async () => {
    const client = createOutboundHttp({
      production: false,
      allowPrivate: false,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    try {
      const before = connections.length;
      const refused = await post(client, '/ok');
      assert.equal(refused.kind === 'failed' && refused.error, 'target_refused');
      assert.equal(connections.length, before);
      assert.equal(await client.checkTarget(`http://hooks.test:${port}/ok`), 'webhook_url_private_target');
    } finally {
      client.close();
    }
  });

  it('reads Retry-After as seconds or as a date, within a day', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    assert.equal(retryAfterSeconds('120', now), 120);
    assert.equal(retryAfterSeconds('Tue, 01 Dec 2026 00:10:00 GMT', now), 600);
    assert.equal(retryAfterSeconds('999999999', now), 86400);
    assert.equal(retryAfterSeconds('soon', now), undefined);
    assert.equal(retryAfterSeconds('Mon, 30 Nov 2026 00:00:00 GMT', now), undefined);
    assert.equal(retryAfterSeconds(undefined, now), undefined);
  });
});
