// A vendor's receiver for Provisio, in plain Node (no build step): it takes Provisio's outgoing
// events (webhooks) and its fulfilment requests, checks every signature with the `standardwebhooks`
// package, creates each customer's tenant once per request id, and answers either at once
// (200 succeeded) or later (202, then reportProvisionResult). The README's "Quick start for
// integrators" runs it.
//
//   FULFILMENT_SIGNING_SECRET=whsec_… PROVISIO_API_KEY=pvk_… node examples/vendor-receiver/server.mjs

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { Webhook } from 'standardwebhooks';

/** Bodies larger than this are refused before they are read whole. */
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

/**
 * Starts the receiver. Options (each falls back to the environment variable in capitals):
 *   port                     PORT, 4000 (0: any free port)
 *   fulfilmentSecret         FULFILMENT_SIGNING_SECRET: Provisio's setting of the same name
 *   webhookSecret            WEBHOOK_SECRET: the secret shown when the webhook endpoint was registered
 *   provisioUrl              PROVISIO_URL, http://localhost:3000: where results are reported
 *   apiKey                   PROVISIO_API_KEY: an API key of the vendor's organization
 *   mode                     MODE: "sync" (200 at once, the default) or "async" (202, report later)
 *   reportDelayMs            REPORT_DELAY_MS, 1000: how long "async" works before it reports
 *   log                      where lines go (console.log)
 * `provisioUrl`, `apiKey` and `mode` are read when they are used, so they may be set after the start.
 */
export async function startReceiver(options = {}) {
  const env = process.env;
  const o = {
    port: Number(options.port ?? env.PORT ?? 4000),
    fulfilmentSecret: options.fulfilmentSecret ?? env.FULFILMENT_SIGNING_SECRET,
    webhookSecret: options.webhookSecret ?? env.WEBHOOK_SECRET,
    reportDelayMs: Number(options.reportDelayMs ?? env.REPORT_DELAY_MS ?? 1000),
    log: options.log ?? ((line) => console.log(line)),
    get apiKey() {
      return options.apiKey ?? env.PROVISIO_API_KEY;
    },
    get mode() {
      return options.mode ?? env.MODE ?? 'sync';
    },
  };
  if (!o.fulfilmentSecret)
    throw new Error('FULFILMENT_SIGNING_SECRET is required (the same value Provisio has)');
  const provisioUrl = () =>
    (options.provisioUrl ?? env.PROVISIO_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const fulfilment = new Webhook(o.fulfilmentSecret);
  const webhooks = o.webhookSecret ? new Webhook(o.webhookSecret) : null;
  /** Tenants by request id: a request delivered twice (a retry, a Retry) never makes a second tenant. */
  const tenants = new Map();
  /** Event ids already handled: deliveries are at least once, so duplicates are dropped by id. */
  const seenEvents = new Set();
  const pending = new Set();

  /** Reports the result of a request answered with 202, retrying a few times if Provisio is away. */
  async function report(requestId, result) {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      try {
        const res = await fetch(`${provisioUrl()}/api/v1/provision-requests/${requestId}/result`, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(result),
        });
        // 409: another answer was recorded first (an operator's, say): that one stands.
        if (res.ok || res.status === 409) {
          o.log(`reported ${result.status} for request ${requestId}: HTTP ${res.status}`);
          return;
        }
        o.log(`report for ${requestId} refused: HTTP ${res.status} ${await res.text()}`);
        if (res.status < 500) return;
      } catch (error) {
        o.log(`report for ${requestId} failed: ${error.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }

  /** Creates the customer's tenant, once per request id. A real service would provision here. */
  function tenantFor(data) {
    let tenant = tenants.get(data.id);
    if (!tenant) {
      tenant = `tenant-${randomUUID()}`;
      tenants.set(data.id, tenant);
      const sites = data.setup.sites.map((s) => s.name).join(', ') || 'no sites';
      o.log(
        `created ${tenant} for ${data.customer.name} (${data.subscriptionId}: ${data.offer.code} × ${data.quantity}; ${sites})`,
      );
    }
    return tenant;
  }

  async function onFulfilment(req, res, body) {
    let message;
    try {
      message = fulfilment.verify(body, req.headers);
    } catch {
      return json(res, 401, { code: 'bad_signature', message: 'The signature does not verify.' });
    }
    if (message.type !== 'provision_request.create')
      return json(res, 400, { code: 'unknown_type', message: `Cannot handle ${message.type}.` });
    const data = message.data;
    if (o.mode === 'async' && o.apiKey) {
      // Taken: the work goes on after the answer, and its result is reported by the request's id.
      const job = new Promise((resolve) => setTimeout(resolve, o.reportDelayMs)).then(() =>
        report(data.id, { status: 'succeeded', externalTenantId: tenantFor(data) }),
      );
      pending.add(job);
      job.finally(() => pending.delete(job));
      return json(res, 202, { status: 'accepted' });
    }
    return json(res, 200, { status: 'succeeded', externalTenantId: tenantFor(data) });
  }

  async function onWebhook(req, res, body) {
    if (!webhooks) return json(res, 404, { code: 'no_webhook_secret' });
    let event;
    try {
      event = webhooks.verify(body, req.headers);
    } catch {
      return json(res, 401, { code: 'bad_signature' });
    }
    const id = req.headers['webhook-id'];
    if (seenEvents.has(id)) return json(res, 204);
    seenEvents.add(id);
    const d = event.data ?? {};
    const detail = d.subscriptionId ? ` ${d.subscriptionId}${d.stage ? ` → ${d.stage}` : ''}` : '';
    o.log(`event ${event.type}${detail} (${id})`);
    if (event.type === 'subscription.billing_started')
      o.log(
        `  bill ${d.billToOrgId} for ${d.offerCode} × ${d.quantity} from ${d.effectiveStartDate} (${d.reason})`,
      );
    return json(res, 204);
  }

  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'POST') return json(res, 405, { code: 'method_not_allowed' });
      const body = await readBody(req);
      if (req.url === '/fulfil') return await onFulfilment(req, res, body);
      if (req.url === '/webhooks') return await onWebhook(req, res, body);
      return json(res, 404, { code: 'not_found' });
    } catch (error) {
      o.log(`error: ${error.message}`);
      if (!res.headersSent) json(res, 500, { code: 'receiver_error' });
    }
  });
  await new Promise((resolve) => server.listen(o.port, resolve));
  const { port } = server.address();
  o.log(
    `vendor receiver on http://localhost:${port} (fulfilment: /fulfil, webhooks: /webhooks, mode: ${o.mode})`,
  );
  return {
    port,
    tenants,
    async close() {
      await Promise.allSettled([...pending]);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  startReceiver().catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
