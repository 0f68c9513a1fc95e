/**
 * Organization matching at scale: 1,000,000 organizations and 5,000,000 users generated with plain
 * SQL, then lookups through matchOrganizations (exact address and by domain, access check included)
 * beside the same lookups as bare indexed SQL, one at a time, in the same run. Also the wizard
 * pages' server time and the script a wizard page loads (gzip).
 *
 *   npm run bench:match
 *
 * Env: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test) names
 * the server; a fresh database provisio_bench_<hex> is created on it and dropped at the end.
 * BENCH_ORGS (1000000), BENCH_USERS (5 per organization), BENCH_LOOKUPS (2000), BENCH_PAGES (300).
 *
 * Speed is measured, not asserted: the run exits 0 whatever the figures (target: p99 < 5 ms).
 */
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import * as apiKeys from '../src/modules/identity/api-keys.ts';
import { matchOrganizations } from '../src/modules/identity/matching.ts';
import { reversedSubdomainPattern } from '../src/modules/identity/matching-repository.ts';
import * as identity from '../src/modules/identity/service.ts';
import { issueLinks } from '../src/modules/provisioning/links.ts';
import { systemClock } from '../src/platform/clock.ts';
import type { Ctx } from '../src/platform/context.ts';
import { connectPostgres } from '../src/platform/db.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createRuntime } from '../src/runtime.ts';
import { generate } from './match-data.ts';
import { createBenchDatabase, envInt, round1, timed } from './support.ts';

const CATALOG_FILE = path.resolve(import.meta.dirname, '..', 'config', 'catalog.json');
const TARGET_P99_MS = 5;

/** A pseudo-random organization number, the same in every run. */
const pick = (i: number, orgs: number) => ((i * 2_654_435_761) % orgs) + 1;
const sideOf = (g: number) => (g % 10 <= 1 ? 'partner' : 'customer') as 'partner' | 'customer';

async function main(): Promise<number> {
  const orgs = envInt('BENCH_ORGS', 1_000_000);
  const users = envInt('BENCH_USERS', orgs * 5);
  const lookups = envInt('BENCH_LOOKUPS', 2000);
  const pages = envInt('BENCH_PAGES', 300);
  const database = await createBenchDatabase('match');
  if (!database) return 1;
  const handle = connectPostgres(database.url, 4);
  try {
    const config = loadConfig({ CATALOG_FILE, PUBLIC_URL: 'http://127.0.0.1' });
    const rt = await createRuntime({
      config,
      log: createLogger('silent'),
      clock: systemClock,
      database: handle,
    });
    const system = rt.systemContext('bench');
    const genStart = performance.now();
    await generate(handle.db, orgs, users);
    const genSeconds = (performance.now() - genStart) / 1000;

    // One order line with a subscription and a live setup link, owned by a partner with an API key.
    const partner = await identity.createOrganization(system, { kind: 'partner', name: 'Bench Partner' });
    const key = await apiKeys.createApiKey(system, partner.id, 'bench');
    const { rows } = await sql<{ line_id: string; subscription_id: string }>`
      with o as (
        insert into orders (reference, partner_org_id, placed_by_org_id, placed_by_api_key_id, end_customer_name, created_at)
        values ('M-1', ${partner.id}::uuid, ${partner.id}::uuid, ${key.id}::uuid, 'Customer', now()) returning id),
      l as (
        insert into order_lines (order_id, line_number, offer_code, quantity, requested_start_date,
          provisioning_contact_email, status, status_changed_at, created_at, partner_org_id, placed_by_org_id, order_created_at)
        select o.id, 1, 'A-WX', 10, current_date, 'it@o5.com', 'awaiting_provisioning_details', now(), now(),
               ${partner.id}::uuid, ${partner.id}::uuid, now() from o
        returning id),
      s as (insert into order_line_services (line_id, service_code, quantity) select id, 'meetings', 10 from l)
      insert into subscriptions (line_id, created_at, order_partner_org_id, order_placed_by_org_id)
      select id, now(), ${partner.id}::uuid, ${partner.id}::uuid from l
      returning line_id, id as subscription_id`.execute(handle.db);
    const row = rows[0];
    if (!row) throw new Error('could not book the bench line');
    const ctx: Ctx = {
      ...system,
      actor: { type: 'api_key', apiKeyId: key.id, orgId: partner.id, orgKind: 'partner' },
    };

    const exact = (i: number) => {
      const u = pick(i, users);
      const g = ((u - 1) % orgs) + 1;
      return { email: `u${u}@o${g}.com`, side: sideOf(g) };
    };
    // Every fourth domain lookup is a shared domain (ten organizations); the rest own one, some a subdomain too.
    const byDomain = (i: number) => {
      const g = pick(i, orgs);
      return i % 4 === 0
        ? {
            email: `new${i}@s${Math.floor(g / 100)}.com`,
            side: 'customer' as const,
            domain: `s${Math.floor(g / 100)}.com`,
          }
        : { email: `new${i}@mail.o${g}.com`, side: sideOf(g), domain: `o${g}.com` };
    };
    const exactMatch = await timed(lookups, (i) => matchOrganizations(ctx, row.subscription_id, exact(i)));
    const exactBare = await timed(lookups, (i) =>
      sql`select u.id, o.id, o.kind, o.name from users u join organizations o on o.id = u.organization_id
          where u.email = ${exact(i).email}`.execute(handle.db),
    );
    const domainMatch = await timed(lookups, (i) =>
      matchOrganizations(ctx, row.subscription_id, byDomain(i)),
    );
    const domainBare = await timed(lookups, (i) => {
      const d = byDomain(i).domain;
      return sql`select distinct d.organization_id from organization_domains d
                 where d.domain = ${d} or reverse(d.domain) like ${reversedSubdomainPattern(d)}`.execute(
        handle.db,
      );
    });
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const { outcome } = await matchOrganizations(ctx, row.subscription_id, byDomain(i));
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }

    // The wizard's pages, served in-process (server time, no network), and the script they load.
    const app = createApp(rt);
    const urls = await issueLinks(system, [{ lineId: row.line_id, to: 'it@o5.com' }]);
    const setupPath = new URL(urls.get(row.line_id) ?? '').pathname;
    const first = await app.request(setupPath);
    if (first.status !== 200) throw new Error(`the setup page answered ${first.status}`);
    const html = await first.text();
    const page = await timed(pages, async () => (await app.request(setupPath)).text());
    const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1] ?? '');
    let scriptGzip = 0;
    for (const src of scripts)
      scriptGzip += gzipSync(Buffer.from(await (await app.request(src)).arrayBuffer())).length;
    await rt.close();

    console.log(
      `match: ${orgs} organizations, ${users} users, PostgreSQL ${database.version}; generated in ${round1(genSeconds)} s`,
    );
    console.log(`lookups one at a time, ${lookups} each (ms)          p50     p99`);
    console.log(
      `exact   matchOrganizations               ${exactMatch.p50.toFixed(2).padStart(7)} ${exactMatch.p99.toFixed(2).padStart(7)}`,
    );
    console.log(
      `exact   bare SQL (users.email)           ${exactBare.p50.toFixed(2).padStart(7)} ${exactBare.p99.toFixed(2).padStart(7)}`,
    );
    console.log(
      `domain  matchOrganizations               ${domainMatch.p50.toFixed(2).padStart(7)} ${domainMatch.p99.toFixed(2).padStart(7)}`,
    );
    console.log(
      `domain  bare SQL (reversed-domain index) ${domainBare.p50.toFixed(2).padStart(7)} ${domainBare.p99.toFixed(2).padStart(7)}`,
    );
    console.log(
      `target p99 < ${TARGET_P99_MS} ms; domain outcomes in a sample of 200: ${JSON.stringify(outcomes)}`,
    );
    console.log(
      `wizard page GET /setup/<token> (${pages} requests): p50 ${page.p50} ms, p99 ${page.p99} ms server time`,
    );
    console.log(`script loaded by a wizard page: ${scripts.join(', ') || 'none'}: ${scriptGzip} bytes gzip`);
    console.log(
      JSON.stringify({
        orgs,
        users,
        postgres: database.version,
        exactMatch,
        exactBare,
        domainMatch,
        domainBare,
        setupPage: page,
        scriptGzipBytes: scriptGzip,
      }),
    );
    return 0;
  } finally {
    await handle.close().catch(() => undefined);
    await database.drop();
  }
}

main().then(
  (code) => {
    process.exitCode = process.exitCode || code;
  },
  (error: unknown) => {
    console.error(
      `match: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  },
);
