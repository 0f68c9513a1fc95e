import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { getOrder } from '../../src/modules/orders/service.ts';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import { lineActionStates } from '../../src/modules/provisioning/line-state.ts';
import type { TransactionView } from '../../src/modules/provisioning/schema.ts';
import {
  changeProvisioningContact,
  resendProvisioningEmail,
} from '../../src/modules/provisioning/service.ts';
import type { Ctx, Role } from '../../src/platform/context.ts';
import type { ProblemBody } from '../../src/platform/http.ts';
import { relayDueEmails } from '../../src/platform/mail/outbox.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

interface OrderJson {
  id: string;
  lines: { id: string; etag: string }[];
}

for (const engine of testEngines()) {
  describe(`provisioning limits and access (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;
    before(async () => {
      sink = await startSmtpSink({ parse: false });
      h = await startHarness(engine, { SMTP_URL: sink.url });
      partner = await h.tenant('partner', 'Partner P');
    });
    after(async () => {
      await h?.close();
      await sink?.close();
    });

    const today = () => h.clock.now().toISOString().slice(0, 10);
    const book = async (
      tenant: Tenant,
      body: Record<string, unknown> = orderBody({}, { requestedStartDate: today() }),
    ) => {
      const res = await h.api(tenant, 'POST', '/api/v1/orders', body);
      assert.equal(res.status, 201);
      return (await res.json()) as OrderJson;
    };
    const resendPath = (o: OrderJson, i = 0) =>
      `/api/v1/orders/${o.id}/lines/${o.lines[i]?.id}/provisioning-email/resend`;
    const contactPath = (o: OrderJson, i = 0) =>
      `/api/v1/orders/${o.id}/lines/${o.lines[i]?.id}/provisioning-contact`;
    const asUser = async (
      tenant: Tenant,
      role: Role,
      orgKind: 'partner' | 'distributor' = 'partner',
    ): Promise<Ctx> => {
      const email = `${role}-${Math.random().toString(36).slice(2, 8)}@users.example`;
      const user = await identity.createUser(h.ctx, {
        organizationId: tenant.orgId,
        email,
        role,
        password: 'correct horse battery',
        locale: 'en',
      });
      return {
        ...h.ctx,
        actor: { type: 'user', userId: user.id, orgId: tenant.orgId, orgKind, role, email },
      };
    };

    it('refuses a resend before the first email, then rate-limits per line: 3 in 10 minutes, 10 a day', async () => {
      const order = await book(partner, orderBody({}, { requestedStartDate: '2026-12-01' }));
      const early = await h.api(partner, 'POST', resendPath(order));
      assert.equal(early.status, 409);
      assert.equal(((await early.json()) as ProblemBody).code, 'resend_before_first_email');

      h.clock.set(new Date('2026-12-01T00:00:00Z'));
      assert.equal((await dispatchDueLines(h.ctx)).lines, 1);
      const attempt = () => h.api(partner, 'POST', resendPath(order));
      for (let round = 0; round < 3; round += 1) {
        for (let i = 0; i < 3; i += 1) assert.equal((await attempt()).status, 202);
        const limited = await attempt();
        assert.equal(limited.status, 429);
        assert.equal(limited.headers.get('retry-after'), '600');
        assert.equal(((await limited.json()) as ProblemBody).code, 'resend_rate_limited');
        h.clock.advance(10 * 60 * 1000);
      }
      assert.equal((await attempt()).status, 202);
      const daily = await attempt();
      assert.equal(daily.status, 429);
      // The first resend of the day leaves the 24-hour window 30 minutes from now.
      assert.equal(daily.headers.get('retry-after'), String(24 * 3600 - 30 * 60));
    });

    it('If-Match: a stale ETag is refused with 412, the current one changes the contact and gives a new ETag', async () => {
      const order = await book(partner);
      const stale = await h.api(
        partner,
        'PUT',
        contactPath(order),
        { email: 'x@acme.example' },
        { 'If-Match': '"v0"' },
      );
      assert.equal(stale.status, 412);
      assert.equal(((await stale.json()) as ProblemBody).code, 'precondition_failed');
      const ok = await h.api(
        partner,
        'PUT',
        contactPath(order),
        { email: 'x@acme.example' },
        { 'If-Match': order.lines[0]?.etag ?? '' },
      );
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('etag'), '"v2"');
      const [t] = ((await ok.json()) as { transactions: TransactionView[] }).transactions;
      // Before the first email nothing is sent: the change is complete at once.
      assert.equal(t?.status, 'completed');
      assert.equal(t?.oldEmail, 'it@acme.example');
    });

    it('a bad address is a 422 naming email and writes nothing', async () => {
      const order = await book(partner);
      const before = await h.db
        .selectFrom('provisioning_transactions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      for (const email of ['not-an-email', 'a\u0000b@acme.example', '', '\u200b']) {
        const res = await h.api(partner, 'PUT', contactPath(order), { email }, { 'If-Match': '*' });
        assert.equal(res.status, 422, JSON.stringify(email));
        const problem = (await res.json()) as ProblemBody;
        assert.deepEqual(
          problem.errors?.map((e) => e.field),
          ['email'],
        );
      }
      const afterCount = await h.db
        .selectFrom('provisioning_transactions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n));
      const line = await h.db
        .selectFrom('order_lines')
        .select(['provisioning_contact_email', 'version'])
        .where('id', '=', order.lines[0]?.id ?? '')
        .executeTakeFirstOrThrow();
      assert.deepEqual(line, { provisioning_contact_email: 'it@acme.example', version: 1 });
    });

    it('another tenant gets 404; the placing distributor’s user may act; a viewer gets 403 naming the placer', async () => {
      const other = await h.tenant('partner', 'Other');
      const distributor = await h.tenant('distributor', 'Distributor');
      const reseller = await h.tenant('partner', 'Reseller');
      await identity.addReseller(h.ctx, distributor.orgId, reseller.orgId);
      const order = await book(partner);
      assert.equal((await h.api(other, 'POST', resendPath(order))).status, 404);
      assert.equal(
        (await h.api(other, 'PUT', contactPath(order), { email: 'x@acme.example' }, { 'If-Match': '*' }))
          .status,
        404,
      );

      const placedForReseller = await book(
        distributor,
        orderBody({ resellerOrgId: reseller.orgId }, { requestedStartDate: today() }),
      );
      await dispatchDueLines(h.ctx);
      const lineId = placedForReseller.lines[0]?.id ?? '';
      const distributorUser = await asUser(distributor, 'partner_user', 'distributor');
      const done = await resendProvisioningEmail(distributorUser, placedForReseller.id, lineId);
      assert.equal(done.status, 'submitted');
      assert.equal(
        done.actor.label,
        distributorUser.actor.type === 'user' ? distributorUser.actor.email : '',
      );
      const resellerAdmin = await asUser(reseller, 'partner_admin');
      assert.equal(
        (
          await changeProvisioningContact(resellerAdmin, placedForReseller.id, lineId, {
            email: 'r@acme.example',
            applyToAllLines: false,
            ifMatch: '*',
          })
        ).transactions.length,
        1,
      );

      const viewer = await asUser(reseller, 'partner_viewer');
      await assert.rejects(
        resendProvisioningEmail(viewer, placedForReseller.id, lineId),
        (error: unknown) => {
          const e = error as { status: number; code: string; params: Record<string, string> };
          return e.status === 403 && e.code === 'edit_rights_required' && e.params.placer === 'Distributor';
        },
      );
      const [state] = await lineActionStates(viewer, await getOrder(viewer, placedForReseller.id));
      assert.deepEqual(state && { mayAct: state.mayAct, blocked: state.blocked, placer: state.placer }, {
        mayAct: false,
        blocked: 'no_edit_rights',
        placer: { name: 'Distributor', email: null },
      });
      const [admin] = await lineActionStates(
        resellerAdmin,
        await getOrder(resellerAdmin, placedForReseller.id),
      );
      assert.equal(admin?.resendAvailable, true);
      await relayDueEmails(h.ctx);
    });

    if (engine === 'postgres') {
      it('20 concurrent resends of one line through two runtimes: exactly 3 succeed', async () => {
        const order = await book(partner);
        await dispatchDueLines(h.ctx);
        const sibling = await h.sibling();
        try {
          const statuses = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              (i % 2 ? sibling.app : h.app).request(resendPath(order), {
                method: 'POST',
                headers: { Authorization: `Bearer ${partner.apiKey}` },
              }),
            ),
          ).then((all) => all.map((r) => r.status));
          assert.equal(statuses.filter((s) => s === 202).length, 3);
          assert.equal(statuses.filter((s) => s === 429).length, 17);
        } finally {
          await sibling.close();
        }
      });

      it('two runtimes racing the dispatch over 50 due lines send one email per (order, contact)', async () => {
        await relayDueEmails(h.ctx);
        const already = sink.received.length;
        const day = new Date(h.clock.now().getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
        for (let o = 0; o < 10; o += 1) {
          await book(partner, {
            ...orderBody(),
            lines: Array.from({ length: 5 }, (_, i) => ({
              offer: 'A-WX',
              quantity: 1,
              requestedStartDate: day,
              provisioningContactEmail: `race${o}-${i % 2}@acme.example`,
            })),
          });
        }
        h.clock.set(new Date(`${day}T00:00:00Z`));
        const sibling = await h.sibling();
        try {
          const drain = async (ctx: Ctx) => {
            let lines = 0;
            for (
              let n = await dispatchDueLines(ctx, { limit: 3 });
              n.lines > 0;
              n = await dispatchDueLines(ctx, { limit: 3 })
            )
              lines += n.lines;
            return lines;
          };
          const counts = await Promise.all([
            drain(h.rt.systemContext('a')),
            drain(sibling.rt.systemContext('b')),
            drain(h.rt.systemContext('c')),
          ]);
          assert.equal(
            counts.reduce((a, b) => a + b, 0),
            50,
          );
        } finally {
          await sibling.close();
        }
        await relayDueEmails(h.ctx);
        const mails = await sink.waitFor(already + 20);
        const race = mails
          .slice(already)
          .flatMap((m) => m.envelopeTo)
          .filter((to) => to.startsWith('race'));
        assert.equal(race.length, 20);
        assert.equal(new Set(race).size, 20);
      });
    }
  });
}
