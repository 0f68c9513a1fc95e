import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as apiKeys from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { newSigningSecret } from '../../src/platform/standard-webhooks.ts';
import { CATALOG_FILE, type Engine, type Harness, startHarness, type Tenant } from './harness.ts';
import { type MappedSubscription, mappedSubscription } from './mapped-subscription.ts';

/** Offers the fulfilment tests order: one sent to a receiver over http, one fulfilled by an operator. */
export const HTTP_OFFER = 'T-HTTP';
export const MANUAL_OFFER = 'T-MAN';

export interface ReceivedRequest {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: {
    type: string;
    timestamp: string;
    data: { id: string; subscriptionId: string } & Record<string, unknown>;
  };
}

export type Reply = { status: number; body?: unknown; delayMs?: number };

/**
 * A vendor's service: a real node:http server on port 0 that keeps every request (by webhook-id too)
 * and answers as `reply` says (a status and a JSON body, or a delay past the sender's deadline).
 */
export async function vendorReceiver(reply: (r: ReceivedRequest) => Reply | Promise<Reply>) {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: ReceivedRequest = {
        id: String(req.headers['webhook-id'] ?? ''),
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        body,
        json: JSON.parse(body),
      };
      received.push(r);
      const answer = await reply(r);
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fulfil`,
    received,
    byId: (id: string) => received.filter((r) => r.id === id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The default catalogue with two more offers: T-HTTP (sent to `url`) and T-MAN (manual). */
export function fulfilmentCatalog(url: string): string {
  const catalog = JSON.parse(readFileSync(CATALOG_FILE, 'utf8')) as { offers: object[] };
  catalog.offers.push(
    {
      code: HTTP_OFFER,
      name: 'Hosted Meetings',
      policyWindowDays: 30,
      services: ['meetings'],
      fulfilment: { mode: 'http', url },
    },
    {
      code: MANUAL_OFFER,
      name: 'Managed Meetings',
      policyWindowDays: 30,
      services: ['meetings'],
      fulfilment: { mode: 'manual' },
    },
  );
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'provisio-catalog-')), 'catalog.json');
  writeFileSync(file, JSON.stringify(catalog));
  return file;
}

export const SIGNING_SECRET = newSigningSecret();

export function startFulfilmentHarness(engine: Engine, url: string, settings: Record<string, string> = {}) {
  return startHarness(engine, {
    CATALOG_FILE: fulfilmentCatalog(url),
    FULFILMENT_SIGNING_SECRET: SIGNING_SECRET,
    ...settings,
  });
}

/** The vendor's organization and an API key of it, as `provisio apikey create --org` makes one. */
export async function vendorKey(h: Harness): Promise<Tenant> {
  const org = await identity.createOrganization(h.ctx, {
    kind: 'vendor',
    name: 'The Vendor',
    country: 'IT',
    domains: [],
  });
  const { key } = await apiKeys.createApiKey(h.ctx, org.id, 'fulfilment');
  return { orgId: org.id, apiKey: key, email: '', password: '' };
}

let sites = 0;

/** A mapped subscription of `offer` whose setup is complete: Provision is the next step. */
export async function readyToProvision(
  h: Harness,
  offer: string,
  opts: { partner?: Tenant; managed?: boolean; closedByPolicy?: boolean } = {},
): Promise<MappedSubscription & { siteName: string }> {
  const m = await mappedSubscription(h, { offer, quantity: 10, ...opts });
  sites += 1;
  const siteName = `site-${sites}-${m.subscriptionId.toLowerCase()}`;
  const base = `/api/v1/subscriptions/${m.subscriptionId}/setup`;
  const saved = await h.api(m.partner, 'PUT', `${base}/meeting-sites`, {
    sites: [{ name: siteName, timeZone: 'Europe/Rome' }],
  });
  assert.equal(saved.status, 200, await saved.clone().text());
  const sub = await h.api(m.partner, 'PUT', `${base}/enterprise-subdomain`, {
    subdomain: `sd-${m.subscriptionId.toLowerCase()}`,
  });
  assert.equal(sub.status, 200, await sub.clone().text());
  return { ...m, siteName };
}

export async function stageOf(h: Harness, subscriptionId: string) {
  return h.db
    .selectFrom('subscriptions')
    .select(['stage', 'billing_started_at', 'billing_start_reason', 'external_tenant_id', 'provisioned_at'])
    .where('id', '=', subscriptionId)
    .executeTakeFirstOrThrow();
}

export function provision(h: Harness, m: MappedSubscription) {
  return h.api(m.partner, 'POST', `/api/v1/subscriptions/${m.subscriptionId}/provision`);
}
