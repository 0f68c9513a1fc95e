import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ReceiverOptions,
  type RunningReceiver,
  startReceiver,
} from '../../examples/vendor-receiver/server.mjs';
import { sendDueProvisionRequests } from '../../src/modules/fulfilment/sender.ts';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import {
  HTTP_OFFER,
  provision,
  readyToProvision,
  SIGNING_SECRET,
  stageOf,
  startFulfilmentHarness,
  vendorKey,
} from '../support/fulfilment.ts';
import type { Harness } from '../support/harness.ts';

/**
 * The README's quick start for integrators, as a test: the example vendor receiver (plain Node, the
 * standardwebhooks package) against a running Provisio, over real HTTP both ways. It answers at once,
 * or takes the request (202) and reports the result with the vendor's API key.
 */
describe('the example vendor receiver against Provisio', () => {
  let h: Harness;
  let web: RunningWeb;
  let receiver: RunningReceiver;
  const lines: string[] = [];
  const options: ReceiverOptions = {
    port: 0,
    fulfilmentSecret: SIGNING_SECRET,
    reportDelayMs: 10,
    log: (line) => lines.push(line),
  };

  before(async () => {
    receiver = await startReceiver(options);
    h = await startFulfilmentHarness('pglite', `http://127.0.0.1:${receiver.port}/fulfil`, {
      PORT: '0',
      HOST: '127.0.0.1',
    });
    web = await serveWeb(h.rt);
    options.provisioUrl = `http://127.0.0.1:${web.port}`;
    options.apiKey = (await vendorKey(h)).apiKey;
  });
  after(async () => {
    await receiver?.close();
    await web?.close();
    await h?.close();
  });

  async function until(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200; i += 1) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.fail('did not happen in time');
  }

  it('answers at once: the subscription goes active with the tenant it made', async () => {
    options.mode = 'sync';
    const m = await readyToProvision(h, HTTP_OFFER);
    assert.equal((await provision(h, m)).status, 202);
    assert.equal((await sendDueProvisionRequests(h.ctx)).answered, 1);
    const s = await stageOf(h, m.subscriptionId);
    assert.equal(s.stage, 'active');
    assert.match(s.external_tenant_id ?? '', /^tenant-/);
    assert.ok(lines.some((l) => l.includes(`created ${s.external_tenant_id}`)));
  });

  it('takes the request (202) and reports back through reportProvisionResult', async () => {
    options.mode = 'async';
    const m = await readyToProvision(h, HTTP_OFFER);
    assert.equal((await provision(h, m)).status, 202);
    assert.equal((await sendDueProvisionRequests(h.ctx)).accepted, 1);
    await until(async () => (await stageOf(h, m.subscriptionId)).stage === 'active');
    const s = await stageOf(h, m.subscriptionId);
    assert.equal(s.billing_start_reason, 'provisioned');
    await until(async () => lines.some((l) => l.startsWith('reported succeeded') && l.includes('HTTP 200')));
    assert.equal(receiver.tenants.size, 2, 'one tenant per request');
  });

  it('refuses a request whose signature does not verify', async () => {
    const res = await fetch(`http://127.0.0.1:${receiver.port}/fulfil`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'x',
        'webhook-timestamp': '1',
        'webhook-signature': 'v1,AAAA',
      },
      body: '{"type":"provision_request.create","data":{}}',
    });
    assert.equal(res.status, 401);
  });
});
