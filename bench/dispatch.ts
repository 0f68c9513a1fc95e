/**
 * Start-date dispatch throughput: N lines (each its own order and contact) due today are dispatched
 * and relayed to a local SMTP sink, through the same code the worker runs (`dispatchDueLines` and the
 * outbox relay), against a baseline measured in the same run: nodemailer's pooled transport sending N
 * pre-rendered messages of the same kind to the same sink over the same pool (same connections, same
 * socket settings).
 *
 *   npm run bench:dispatch
 *
 * Env: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test) names
 * the server; a fresh database provisio_bench_<hex> is created on it and dropped at the end.
 * BENCH_LINES (20000), BENCH_POOL (10).
 *
 * The sink counts messages by Message-ID: lost = due − distinct received, duplicated = received −
 * distinct. Speed is measured, not asserted: the run exits 0 whatever the ratio.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import * as apiKeys from '../src/modules/identity/api-keys.ts';
import * as identity from '../src/modules/identity/service.ts';
import { dispatchDueLines } from '../src/modules/provisioning/dispatch.ts';
import { renderProvisioningEmail } from '../src/modules/provisioning/emails/render.ts';
import { isoDate, systemClock } from '../src/platform/clock.ts';
import { connectPostgres } from '../src/platform/db.ts';
import { createLogger } from '../src/platform/logger.ts';
import { relayDueEmails } from '../src/platform/mail/outbox.ts';
import { pooledSmtp } from '../src/platform/mail/transport.ts';
import { createRuntime } from '../src/runtime.ts';
import { startSmtpSink } from '../test/support/smtp-sink.ts';
import { createBenchDatabase, envInt, round1 } from './support.ts';

const CATALOG_FILE = path.resolve(import.meta.dirname, '..', 'config', 'catalog.json');
const TARGET_RATIO = 0.7;
const SENDER = 'provisioning@bench.example';

function messageIds(raws: { raw: string }[]): Set<string> {
  const ids = new Set<string>();
  for (const { raw } of raws) {
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1];
    if (id) ids.add(id);
  }
  return ids;
}

async function main(): Promise<number> {
  const lines = envInt('BENCH_LINES', 20_000);
  const poolSize = envInt('BENCH_POOL', 10);
  const database = await createBenchDatabase('dispatch');
  if (!database) return 1;
  const sink = await startSmtpSink({ parse: false });
  const handle = connectPostgres(database.url, poolSize);
  try {
    const today = isoDate(new Date());

    // Baseline: the same number of provisioning emails, rendered beforehand, straight through nodemailer's pool.
    const prerendered = Array.from({ length: lines }, (_, i) => {
      const email = renderProvisioningEmail({
        locale: 'en',
        orderReference: `BASE-${i}`,
        orderNumber: `PRV-${900000 + i}`,
        partnerName: 'Bench Partner',
        endCustomerName: `Customer ${i}`,
        contactEmail: `base${i}@bench.example`,
        sender: SENDER,
        resend: false,
        lines: [
          {
            subscriptionId: `SUB-${i}`,
            offerName: 'A-WX',
            services: ['Meetings'],
            quantity: 10,
            requestedStartDate: today,
            setupUrl: `http://127.0.0.1/setup/${i}`,
          },
        ],
      });
      return { to: `base${i}@bench.example`, ...email, messageId: `<base-${i}@bench.example>` };
    });
    const transport = pooledSmtp(sink.url);
    const baselineStart = performance.now();
    await Promise.all(
      prerendered.map((m) =>
        transport.sendMail({
          from: SENDER,
          to: m.to,
          subject: m.subject,
          html: m.html,
          text: m.text,
          messageId: m.messageId,
        }),
      ),
    );
    const baselineRate = (lines * 1000) / (performance.now() - baselineStart);
    transport.close();
    sink.received.length = 0;

    // Provisio: the lines are booked with plain SQL (fast), then dispatched and relayed as the worker does.
    const config = loadConfig({
      CATALOG_FILE,
      PUBLIC_URL: 'http://127.0.0.1',
      SMTP_URL: sink.url,
      MAIL_FROM: SENDER,
    });
    const rt = await createRuntime({
      config,
      log: createLogger('silent'),
      clock: systemClock,
      database: handle,
    });
    const ctx = rt.systemContext('bench');
    const org = await identity.createOrganization(ctx, {
      kind: 'partner',
      name: 'Bench Partner',
      country: 'IT',
    });
    const key = await apiKeys.createApiKey(ctx, org.id, 'bench');
    await sql`
      with o as (
        insert into orders (reference, partner_org_id, placed_by_org_id, placed_by_api_key_id, end_customer_name, created_at)
        select 'D-' || g, ${org.id}::uuid, ${org.id}::uuid, ${key.id}::uuid, 'Customer ' || g, now()
        from generate_series(1, ${lines}) g
        returning id, reference),
      l as (
        insert into order_lines (order_id, line_number, offer_code, quantity, requested_start_date,
          provisioning_contact_email, status, status_changed_at, created_at, partner_org_id, placed_by_org_id, order_created_at)
        select o.id, 1, 'A-WX', 10, ${today}::date, 'c' || substr(o.reference, 3) || '@bench.example', 'scheduled', now(), now(),
               ${org.id}::uuid, ${org.id}::uuid, now()
        from o
        returning id),
      s as (insert into order_line_services (line_id, service_code, quantity) select id, 'meetings', 10 from l)
      insert into subscriptions (line_id, created_at, order_partner_org_id, order_placed_by_org_id)
      select id, now(), ${org.id}::uuid, ${org.id}::uuid from l`.execute(handle.db);

    const start = performance.now();
    let dispatching = true;
    const dispatcher = (async () => {
      try {
        while ((await dispatchDueLines(ctx)).lines > 0);
      } finally {
        dispatching = false;
      }
    })();
    const relay = (async () => {
      for (;;) {
        const { sent, failed, retrying } = await relayDueEmails(ctx);
        if (!dispatching && sent + failed + retrying === 0) return;
        if (sent + failed + retrying === 0) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all([dispatcher, relay]);
    const seconds = (performance.now() - start) / 1000;
    const distinct = messageIds(sink.received).size;
    const rate = distinct / seconds;
    const ratio = rate / baselineRate;
    const lost = lines - distinct;
    const duplicated = sink.received.length - distinct;
    await rt.close();

    console.log(`dispatch: ${lines} lines due today, PostgreSQL ${database.version}, pool ${poolSize}`);
    console.log(`baseline (nodemailer pool, pre-rendered): ${round1(baselineRate)} emails/s`);
    console.log(`Provisio (dispatch + outbox relay):       ${round1(rate)} emails/s`);
    console.log(
      `ratio: ${ratio.toFixed(2)}  (target ≥ ${TARGET_RATIO.toFixed(2)}); lost ${lost}, duplicated ${duplicated}`,
    );
    console.log(
      JSON.stringify({
        lines,
        pool: poolSize,
        postgres: database.version,
        baselineEmailsPerSec: round1(baselineRate),
        provisioEmailsPerSec: round1(rate),
        ratio: Math.round(ratio * 1000) / 1000,
        target: TARGET_RATIO,
        lost,
        duplicated,
      }),
    );
    return lost === 0 && duplicated === 0 ? 0 : 1;
  } finally {
    await handle.close().catch(() => undefined);
    await sink.close();
    await database.drop();
  }
}

main().then(
  (code) => {
    process.exitCode = process.exitCode || code;
  },
  (error: unknown) => {
    console.error(
      `dispatch: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  },
);
