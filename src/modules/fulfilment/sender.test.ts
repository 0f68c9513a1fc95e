import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { MAX_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_SECONDS, verdictOf } from './sender.ts';
import { postSigned } from './transport.ts';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('what the vendor service’s answer means', () => {
  it('200 with a result is that result; 200 without one is tried again; 202 and other 2xx are accepted', () => {
    assert.deepEqual(verdictOf(200, '{"status":"succeeded","externalTenantId":"t-1"}'), {
      kind: 'answer',
      answer: { status: 'succeeded', externalTenantId: 't-1' },
    });
    assert.equal(
      verdictOf(200, '{"status":"needs_info","fields":["subdomain"],"message":"Pick another."}').kind,
      'answer',
    );
    assert.deepEqual(verdictOf(200, 'ok'), { kind: 'retry', error: 'HTTP 200 without a valid result' });
    assert.deepEqual(verdictOf(202, ''), { kind: 'accepted' });
    assert.deepEqual(verdictOf(204, ''), { kind: 'accepted' });
  });

  it('a 4xx fails it with the code and message it gives, or http_<status>; 408, 425, 429 and 5xx are tried again', () => {
    assert.deepEqual(verdictOf(422, '{"code":"bad_region","message":{"en":"No.","it":"No."}}'), {
      kind: 'answer',
      answer: { status: 'failed', code: 'bad_region', message: { en: 'No.', it: 'No.' } },
    });
    const bare = verdictOf(403, '<html>Forbidden</html>');
    assert.equal(bare.kind === 'answer' && bare.answer.status === 'failed' && bare.answer.code, 'http_403');
    // A problem+json body's `detail` is its message; a code that is no code is not taken.
    const problem = verdictOf(400, '{"code":"Not A Code!","detail":"Missing field."}');
    assert.ok(problem.kind === 'answer' && problem.answer.status === 'failed');
    assert.equal(problem.answer.code, 'http_400');
    assert.equal(problem.answer.message, 'Missing field.');
    for (const status of [408, 425, 429, 500, 502, 503, 504])
      assert.equal(verdictOf(status, '').kind, 'retry');
    assert.deepEqual(verdictOf(302, ''), { kind: 'retry', error: 'HTTP 302: redirects are not followed' });
  });

  it('retries after about 30 s, 2 min, 10 min, 1 h, 4 h, 8 h, each up to 10% later: seven attempts in all', () => {
    assert.equal(MAX_ATTEMPTS, 7);
    const now = new Date('2026-12-01T00:00:00Z');
    RETRY_DELAYS_SECONDS.forEach((delay, i) => {
      const waited = (nextAttemptAt(now, i + 1).getTime() - now.getTime()) / 1000;
      assert.ok(waited >= delay && waited <= delay * 1.1, `${waited} after attempt ${i + 1}`);
    });
  });
});

describe('the signed POST', () => {
  async function server(handler: http.RequestListener) {
    const s = http.createServer(handler);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/`, server: s };
  }

  it('gives up on a receiver that does not answer in time, and says so', async () => {
    const { url, server: s } = await server(() => undefined);
    try {
      assert.deepEqual(await postSigned(url, SECRET, 'id-1', '{}', 200), {
        kind: 'failed',
        error: 'timeout',
      });
    } finally {
      s.closeAllConnections();
      s.close();
    }
  });

  it('reports a refused connection, and follows no redirect', async () => {
    const { url, server: s } = await server((_req, res) => {
      res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data' });
      res.end();
    });
    try {
      const outcome = await postSigned(url, SECRET, 'id-2', '{}');
      assert.deepEqual(outcome, { kind: 'answered', status: 307, body: '' });
    } finally {
      s.closeAllConnections();
      s.close();
    }
    assert.deepEqual(await postSigned(url, SECRET, 'id-3', '{}'), { kind: 'failed', error: 'connection' });
  });

  it('reads at most 64 KB of an answer', async () => {
    const { url, server: s } = await server((_req, res) => {
      res.writeHead(200);
      res.end('x'.repeat(1024 * 1024));
    });
    try {
      const outcome = await postSigned(url, SECRET, 'id-4', '{}');
      assert.ok(outcome.kind === 'answered' && outcome.body.length === 64 * 1024);
    } finally {
      s.closeAllConnections();
      s.close();
    }
  });
});
