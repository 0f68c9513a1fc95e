import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { markEscalationContacted } from '../../src/modules/orders/escalations.ts';
import { type OperatorsDay, operatorsDay } from '../support/backoffice-state.ts';
import { formPost, type Harness, startHarness, testEngines } from '../support/harness.ts';

/** The operator's day (ADR 0036): landing, contacted escalations, confirmed closing. */

for (const engine of testEngines()) {
  describe(`back office actions (${engine})`, () => {
    let h: Harness;
    let day: OperatorsDay;
    let operatorCookie = '';
    let partnerACookie = '';
    let partnerBCookie = '';
    const get = (cookie: string, path: string) => h.app.request(path, { headers: { Cookie: cookie } });
    const post = (cookie: string, path: string, fields: Record<string, string>) =>
      h.app.request(path, formPost(fields, { Cookie: cookie }));
    const contactPath = (lineId: string) => `/backoffice/escalations/${lineId}/contact`;
    const contacts = (lineId: string) =>
      h.db.selectFrom('escalation_contacts').selectAll().where('line_id', '=', lineId).execute();
    const audits = (lineId: string) =>
      h.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'provisioning.escalation_contacted')
        .where('entity_id', '=', lineId)
        .execute();

    before(async () => {
      h = await startHarness(engine, { ESCALATION_EMAIL: 'escalations@vendor.example' });
      day = await operatorsDay(h);
      operatorCookie = await h.signIn(day.operator);
      partnerACookie = await h.signIn(day.partnerA);
      partnerBCookie = await h.signIn(day.partnerB);
    });
    after(async () => {
      await h.close();
    });

    it('lands an operator on the back office after signing in, and at / ; a partner on the orders', async () => {
      const login = await h.app.request(
        '/login',
        formPost({ email: day.operator.email, password: day.operator.password }),
      );
      assert.equal(login.status, 303);
      assert.equal(login.headers.get('location'), '/backoffice');
      assert.equal((await get(operatorCookie, '/')).headers.get('location'), '/backoffice');
      assert.equal((await get(operatorCookie, '/backoffice')).headers.get('location'), '/backoffice/orders');
      const asked = await h.app.request(
        '/login',
        formPost({ email: day.operator.email, password: day.operator.password, next: '/backoffice/support' }),
      );
      assert.equal(asked.headers.get('location'), '/backoffice/support', 'a link asked for keeps its page');
      const partner = await h.app.request(
        '/login',
        formPost({ email: day.partnerA.email, password: day.partnerA.password, next: '' }),
      );
      assert.equal(partner.headers.get('location'), '/orders');
      assert.equal((await get(partnerACookie, '/')).headers.get('location'), '/orders');
      assert.match((await get('', '/')).headers.get('location') ?? '', /^\/login/);
    });

    it("sends an operator asking for the partners' support pages to the back office queue", async () => {
      const caseId = day.bCaseIds[0] ?? '';
      for (const [path, target] of [
        ['/support/cases', '/backoffice/support'],
        ['/support/cases/new', '/backoffice/support'],
        [`/support/cases/${caseId}`, `/backoffice/support/${caseId}`],
      ] as const) {
        const res = await get(operatorCookie, path);
        assert.equal(res.status, 303, path);
        assert.equal(res.headers.get('location'), target, path);
      }
      assert.equal((await get(partnerBCookie, '/support/cases')).status, 200, 'partners keep their pages');
    });

    it('refuses an empty, invisible, control-character or over-long note, naming the field, and writes nothing', async () => {
      const lineId = day.bOld.lineId;
      const form = await get(operatorCookie, contactPath(lineId));
      assert.equal(form.status, 200);
      const html = await form.text();
      assert.match(html, /<label for="note">Note<\/label>/);
      assert.match(html, /<textarea[^>]*maxlength="1000"/);
      for (const [note, message] of [
        ['', /Note is required/],
        ['   \u200b\u00a0', /Note must contain visible characters/],
        ['called\u0000them', /Note must not contain control characters/],
        ['x'.repeat(1001), /Note must be at most 1000 characters long/],
      ] as const) {
        const res = await post(operatorCookie, contactPath(lineId), { note });
        assert.equal(res.status, 422, JSON.stringify(note.slice(0, 20)));
        const page = await res.text();
        assert.match(page, message);
        assert.match(page, /class="error-summary"/);
        assert.match(page, /<a href="#note">/);
        assert.match(page, /aria-invalid="true"/);
      }
      assert.equal((await contacts(lineId)).length, 0);
      assert.equal((await audits(lineId)).length, 0);
    });

    it('marks an escalation contacted once, audited, shown in the list and its filter', async () => {
      const lineId = day.bOld.lineId;
      const back = `/backoffice/escalations?partner=${day.partnerB.orgId}`;
      const done = await post(operatorCookie, contactPath(lineId), {
        note: 'Spoke to Beta’s account manager:\r\nthey will call the customer today.',
        back,
      });
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), back, 'back to the list with its filters');
      const [row] = await contacts(lineId);
      assert.equal(row?.note, 'Spoke to Beta’s account manager:\nthey will call the customer today.');
      assert.equal(row?.contacted_at.toISOString(), h.clock.now().toISOString());
      const [audit] = await audits(lineId);
      assert.equal(audit?.actor_type, 'user');
      assert.equal(audit?.organization_id, day.partnerB.orgId);

      const list = await (await get(operatorCookie, back)).text();
      assert.match(list, /Contacted/);
      assert.match(list, /By ops@provisio\.example, Dec 7, 2026/);
      assert.match(list, /they will call the customer today\./);
      const contacted = await (await get(operatorCookie, '/backoffice/escalations?contacted=yes')).text();
      assert.match(contacted, new RegExp(day.bOld.subscriptionId));
      assert.doesNotMatch(contacted, new RegExp(day.bNew.subscriptionId));
      const waiting = await (await get(operatorCookie, '/backoffice/escalations?contacted=no')).text();
      assert.doesNotMatch(waiting, new RegExp(`>${day.bOld.subscriptionId}<`));

      const again = await post(operatorCookie, contactPath(lineId), { note: 'Me too' });
      assert.equal(again.status, 409);
      assert.match(await again.text(), /already marked contacted/);
      assert.equal((await contacts(lineId)).length, 1);
      assert.equal((await audits(lineId)).length, 1);
      // An off-site or foreign "back" is not followed.
      const offsite = await post(operatorCookie, contactPath(day.bNew.lineId), {
        note: 'Left a voicemail.',
        back: '//evil.example/',
      });
      assert.equal(offsite.headers.get('location'), '/backoffice/escalations');
    });

    it("keeps escalations from partners: another partner's and their own answer 404, and the service refuses them", async () => {
      const lineId = day.aLines[0]?.lineId ?? '';
      for (const cookie of [partnerACookie, partnerBCookie]) {
        assert.equal((await get(cookie, '/backoffice/escalations')).status, 404);
        assert.equal((await get(cookie, contactPath(lineId))).status, 404);
        assert.equal((await post(cookie, contactPath(lineId), { note: 'I did it' })).status, 404);
      }
      const partnerCtx = {
        ...h.ctx,
        actor: {
          type: 'api_key' as const,
          apiKeyId: '00000000-0000-4000-8000-000000000000',
          orgId: day.partnerA.orgId,
          orgKind: 'partner' as const,
        },
      };
      await assert.rejects(markEscalationContacted(partnerCtx, lineId, 'note'), { status: 404 });
      assert.equal((await contacts(lineId)).length, 0);
      // Not escalated, or no line at all: nothing to mark.
      assert.equal((await get(operatorCookie, contactPath(day.aScheduledLineId))).status, 404);
      assert.equal((await post(operatorCookie, contactPath('not-a-line'), { note: 'x' })).status, 404);
    });

    it('of 100 operators marking one escalation at once, one wins; one row and one audit entry remain', async () => {
      const lineId = day.aLines[1]?.lineId ?? '';
      const mark = async (i: number) => {
        const res = await post(operatorCookie, contactPath(lineId), { note: `Call number ${i}` });
        return { status: res.status, i };
      };
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => mark(i)));
      const won = answers.filter((a) => a.status === 303);
      assert.equal(won.length, 1, JSON.stringify(answers.map((a) => a.status)));
      assert.equal(answers.filter((a) => a.status === 409).length, 99);
      const rows = await contacts(lineId);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.note, `Call number ${won[0]?.i}`);
      const entries = await audits(lineId);
      assert.equal(entries.length, 1);
      const payload = entries[0]?.payload as { note?: string } | undefined;
      assert.equal(payload?.note, `Call number ${won[0]?.i}`);
    });

    it('closes a case only after its confirmation page', async () => {
      const caseId = day.bCaseIds[0] ?? '';
      const status = async () =>
        (
          await h.db
            .selectFrom('support_cases')
            .select('status')
            .where('id', '=', caseId)
            .executeTakeFirstOrThrow()
        ).status;
      const casePage = await (await get(operatorCookie, `/backoffice/support/${caseId}`)).text();
      assert.match(
        casePage,
        new RegExp(`<a class="button secondary" href="/backoffice/support/${caseId}/close">`),
      );
      const unconfirmed = await post(operatorCookie, `/backoffice/support/${caseId}/close`, {});
      assert.equal(unconfirmed.status, 303);
      assert.equal(unconfirmed.headers.get('location'), `/backoffice/support/${caseId}/close`);
      assert.equal(await status(), 'open', 'a POST without confirmation closes nothing');
      const confirm = await get(operatorCookie, `/backoffice/support/${caseId}/close`);
      assert.equal(confirm.status, 200);
      const html = await confirm.text();
      assert.match(html, /Close case CASE-\d+\?/);
      assert.match(html, /Beta Partner will see the case as closed/);
      assert.match(html, /<input type="hidden" name="confirm" value="yes"\/>/);
      assert.match(html, /Keep it open/);
      assert.equal(
        (await post(partnerBCookie, `/backoffice/support/${caseId}/close`, { confirm: 'yes' })).status,
        404,
      );
      assert.equal(await status(), 'open');
      const closed = await post(operatorCookie, `/backoffice/support/${caseId}/close`, { confirm: 'yes' });
      assert.equal(closed.status, 303);
      assert.equal(await status(), 'closed');
      // Asking again shows the case as it is.
      const late = await get(operatorCookie, `/backoffice/support/${caseId}/close`);
      assert.equal(late.headers.get('location'), `/backoffice/support/${caseId}`);
    });
  });
}
