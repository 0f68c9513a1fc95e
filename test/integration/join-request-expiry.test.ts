import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decideJoinRequest } from '../../src/modules/onboarding/consent-decisions.ts';
import { expireUnansweredJoinRequests } from '../../src/modules/onboarding/consent-expiry.ts';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import type { Ctx, Role } from '../../src/platform/context.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { relayDueEmails } from '../../src/platform/mail/outbox.ts';
import {
  formPost,
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  testEngines,
} from '../support/harness.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

/**
 * A request to an organization's admins that nobody answers expires after JOIN_REQUEST_EXPIRY_DAYS
 * (docs/adr/0022): the contact is told once, in the order's language, that the same link still
 * works; an admin deciding afterwards is told it expired; the contact chooses again.
 */

const LINK = /http:\/\/provisio\.test(\/setup\/[A-Za-z0-9_-]{43})/;
const DAY_MS = 86_400_000;

for (const engine of testEngines()) {
  describe(`unanswered join requests expire (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;
    let victim: Tenant;
    let victimDomain: string;
    before(async () => {
      sink = await startSmtpSink();
      h = await startHarness(engine, { SMTP_URL: sink.url, JOIN_REQUEST_EXPIRY_DAYS: '7' });
      partner = await h.tenant('partner', 'Ordering Partner');
      victim = await h.tenant('partner', 'Asked Partner');
      victimDomain = victim.email.split('@')[1] ?? '';
    });
    after(async () => {
      await h?.close();
      await sink?.close();
    });

    const unique = () => randomBytes(3).toString('hex');
    const adminCtx = async (email: string): Promise<Ctx> => {
      const u = await h.db
        .selectFrom('users')
        .select(['id', 'organization_id', 'role'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      return {
        ...h.ctx,
        actor: {
          type: 'user',
          userId: u.id,
          orgId: u.organization_id,
          orgKind: 'partner',
          role: u.role as Role,
          email,
        },
      };
    };
    const requestOf = (subscriptionId: string) =>
      h.db
        .selectFrom('organization_join_requests')
        .select(['id', 'status'])
        .where('subscription_id', '=', subscriptionId)
        .orderBy('requested_at', 'desc')
        .executeTakeFirstOrThrow();
    const mappedAt = async (subscriptionId: string) =>
      (
        await h.db
          .selectFrom('subscriptions')
          .select('mapped_at')
          .where('id', '=', subscriptionId)
          .executeTakeFirstOrThrow()
      ).mapped_at;

    /** An order in `locale` whose contact asks to join the other partner, found by search. */
    async function pendingRequest(contact: string, locale: string) {
      // The day after the clock's: orders may not start in the past, and the clock moves on per test.
      const start = new Date(h.clock.now().getTime() + DAY_MS).toISOString().slice(0, 10);
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({ locale }, { provisioningContactEmail: contact, requestedStartDate: start }),
      );
      assert.equal(res.status, 201);
      const body = (await res.json()) as { id: string; lines: { subscriptionId: string }[] };
      h.clock.set(new Date(`${start}T09:00:00Z`));
      await dispatchDueLines(h.ctx);
      const mail = await h.db
        .selectFrom('outbox_emails')
        .select('text_body')
        .where('to_address', '=', contact)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      const path = mail.text_body.match(LINK)?.[1];
      assert.ok(path);
      const subscriptionId = body.lines[0]?.subscriptionId ?? '';
      const u = unique();
      const waiting = await h.app.request(
        `${path}?lang=en`,
        formPost({
          step: 'review',
          nav: 'next',
          role: 'customer',
          setupBy: 'self',
          partnerPick: victim.orgId,
          partnerSearched: victimDomain,
          customerPick: 'create',
          customerName: `New Customer ${u}`,
          customerVertical: 'technology',
          customerCountry: 'IT',
          adminEmail: `boss@nc-${u}.example`,
        }),
      );
      assert.match(await waiting.text(), /Awaiting organization approval/);
      assert.equal((await requestOf(subscriptionId)).status, 'pending');
      return { path, orderId: body.id, subscriptionId, requestedAt: h.clock.now() };
    }

    it('expires once past the window, tells the contact once, refuses a late approval, and the link chooses again', async () => {
      const contact = `late@late-${unique()}.example`;
      const o = await pendingRequest(contact, 'it');
      await relayDueEmails(h.ctx);
      h.clock.set(new Date(o.requestedAt.getTime() + 6 * DAY_MS));
      assert.equal(await expireUnansweredJoinRequests(h.ctx), 0, 'still within the 7 days');
      assert.equal((await requestOf(o.subscriptionId)).status, 'pending');

      h.clock.set(new Date(o.requestedAt.getTime() + 7 * DAY_MS + 60_000));
      assert.equal(await expireUnansweredJoinRequests(h.ctx), 1);
      assert.equal(await expireUnansweredJoinRequests(h.ctx), 0, 'a second run does nothing');
      const request = await requestOf(o.subscriptionId);
      assert.equal(request.status, 'expired');
      const audit = await h.db
        .selectFrom('audit_events')
        .select('payload')
        .where('action', '=', 'organization.join_expired')
        .where('entity_id', '=', victim.orgId)
        .execute();
      assert.equal(audit.length, 1);

      // Through a real SMTP server, once, in the order's language, with what to do next.
      const before = sink.received.length;
      await relayDueEmails(h.ctx);
      await relayDueEmails(h.ctx);
      const received = sink.received.slice(before).filter((m) => m.envelopeTo.includes(contact));
      assert.equal(received.length, 1, received.map((m) => m.parsed.subject).join());
      assert.equal(received[0]?.parsed.subject, 'La tua richiesta a Asked Partner è scaduta');
      assert.match(received[0]?.parsed.text ?? '', /entro 7 giorni/);
      assert.match(
        received[0]?.parsed.text ?? '',
        /aprilo di nuovo per scegliere o creare un’altra organizzazione/,
      );

      // An admin approving now is told it expired (409), and nothing is granted.
      await assert.rejects(
        decideJoinRequest(await adminCtx(victim.email), request.id, 'approve'),
        (e: unknown) => e instanceof DomainError && e.code === 'join_request_expired' && e.status === 409,
      );
      const cookie = await h.signIn(victim);
      const late = await h.app.request(
        `/hub/requests/${request.id}/approve`,
        formPost({}, { Cookie: cookie }),
      );
      assert.equal(late.headers.get('Location'), '/hub?done=expired#requests');
      const hub = await (await h.app.request('/hub?done=expired', { headers: { Cookie: cookie } })).text();
      assert.match(hub, /This request had expired/);
      assert.equal(await mappedAt(o.subscriptionId), null);
      assert.equal(
        await h.db.selectFrom('users').select('id').where('email', '=', contact).executeTakeFirst(),
        undefined,
      );

      // The partner's line says so, with the next step; the link shows it on its first step.
      const partnerCookie = await h.signIn(partner);
      const orderPage = await (
        await h.app.request(`/orders/${o.orderId}`, { headers: { Cookie: partnerCookie } })
      ).text();
      assert.match(orderPage, /badge-warning">Organization approval expired<\/span> Asked Partner/);
      assert.match(orderPage, /choose or create another organization with the same setup link/);
      const link = await (await h.app.request(`${o.path}?lang=en`)).text();
      assert.match(link, /The request to Asked Partner expired without an answer/);

      // The same link chooses again.
      const u = unique();
      const done = await h.app.request(
        `${o.path}?lang=en`,
        formPost({
          step: 'review',
          nav: 'next',
          role: 'customer',
          setupBy: 'self',
          partnerPick: 'create',
          partnerName: `Own Partner ${u}`,
          partnerVertical: 'technology',
          partnerCountry: 'IT',
          customerPick: 'create',
          customerName: `Own Customer ${u}`,
          customerVertical: 'technology',
          customerCountry: 'IT',
          adminEmail: `boss@own-${u}.example`,
        }),
      );
      // After Confirm, a page says what is now set up (ADR 0038).
      assert.equal(done.status, 200);
      assert.match(await done.text(), /is now set up for/);
      assert.notEqual(await mappedAt(o.subscriptionId), null);
    });

    if (engine === 'postgres')
      it('an approval racing the expiry: exactly one wins', async () => {
        for (let round = 0; round < 4; round += 1) {
          const o = await pendingRequest(`race${round}@race-${unique()}.example`, 'en');
          h.clock.set(new Date(o.requestedAt.getTime() + 8 * DAY_MS));
          const { id } = await requestOf(o.subscriptionId);
          const other = await h.sibling();
          try {
            const [decided, expired] = await Promise.allSettled([
              decideJoinRequest(await adminCtx(victim.email), id, 'approve'),
              expireUnansweredJoinRequests(other.rt.systemContext('expiry')),
            ]);
            assert.equal(expired.status, 'fulfilled');
            const final = (await requestOf(o.subscriptionId)).status;
            if (decided.status === 'fulfilled') {
              assert.equal(decided.value, 'approved');
              assert.equal(expired.status === 'fulfilled' && expired.value, 0);
              assert.equal(final, 'approved');
              assert.notEqual(await mappedAt(o.subscriptionId), null);
            } else {
              const e: unknown = decided.reason;
              assert.ok(e instanceof DomainError && e.code === 'join_request_expired', String(e));
              assert.equal(expired.status === 'fulfilled' && expired.value, 1);
              assert.equal(final, 'expired');
              assert.equal(await mappedAt(o.subscriptionId), null);
            }
          } finally {
            await other.close();
          }
        }
      });
  });
}
