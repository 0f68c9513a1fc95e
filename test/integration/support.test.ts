import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { SUPPORT_SCREENSHOT_MAX_BYTES, SUPPORT_SCREENSHOTS_MAX } from '../../src/platform/limits.ts';
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

/** A real 1×1 PNG. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

function caseForm(fields: Record<string, string>, files: File[] = []): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('screenshots[]', f);
  return form;
}

const png = (name = 'shot.png') => new File([TINY_PNG], name, { type: 'image/png' });

interface ProblemJson {
  code: string;
  errors?: { field: string; code: string; message: string }[];
}

for (const engine of testEngines()) {
  describe(`support cases and the back office (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;
    let other: Tenant;
    let operator: Tenant;
    let partnerCookie = '';
    let otherCookie = '';
    let operatorCookie = '';
    let subscriptionId = '';
    let otherSubscriptionId = '';

    const page = (cookie: string, path: string, init: RequestInit = {}) =>
      h.app.request(path, { ...init, headers: { ...(init.headers ?? {}), Cookie: cookie } });
    const postForm = (cookie: string, path: string, form: FormData) =>
      page(cookie, path, { method: 'POST', body: form, headers: { Origin: 'http://localhost' } });
    const postFields = (cookie: string, path: string, fields: Record<string, string>) => {
      const init = formPost(fields, { Cookie: cookie });
      return h.app.request(path, init);
    };
    const apiForm = (tenant: Tenant, form: FormData) =>
      h.app.request('/api/v1/support/cases', {
        method: 'POST',
        body: form,
        headers: { Authorization: `Bearer ${tenant.apiKey}` },
      });
    const caseCount = async () =>
      Number(
        (
          await h.db
            .selectFrom('support_cases')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const attachmentCount = async () =>
      Number(
        (
          await h.db
            .selectFrom('support_case_attachments')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      sink = await startSmtpSink();
      h = await startHarness(engine, { SMTP_URL: sink.url });
      partner = await h.tenant('partner', 'Case Partner');
      other = await h.tenant('partner', 'Other Partner');
      const vendor = await identity.createOrganization(h.ctx, {
        kind: 'vendor',
        name: 'Provisio Operations',
      });
      operator = {
        orgId: vendor.id,
        apiKey: '',
        email: 'ops@provisio.example',
        password: 'operator password 1',
      };
      await identity.createUser(h.ctx, {
        organizationId: vendor.id,
        email: operator.email,
        role: 'operator',
        password: operator.password,
        locale: 'en',
      });
      const order = await h.api(partner, 'POST', '/api/v1/orders', orderBody({ reference: 'PO-CASE-1' }));
      subscriptionId =
        ((await order.json()) as { lines: { subscriptionId: string }[] }).lines[0]?.subscriptionId ?? '';
      const otherOrder = await h.api(other, 'POST', '/api/v1/orders', orderBody({ reference: 'PO-OTHER-1' }));
      otherSubscriptionId =
        ((await otherOrder.json()) as { lines: { subscriptionId: string }[] }).lines[0]?.subscriptionId ?? '';
      partnerCookie = await h.signIn(partner);
      otherCookie = await h.signIn(other);
      operatorCookie = await h.signIn(operator);
    });
    after(async () => {
      await h.close();
      await sink.close();
    });

    it('pre-fills the new case form from the order page link and shows the troubleshooting steps first', async () => {
      const res = await page(
        partnerCookie,
        `/support/cases/new?requestType=change_provisioning_contact_email&subscriptionId=${subscriptionId}&description=Edit+failed`,
      );
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<option value="change_provisioning_contact_email" selected/);
      assert.match(html, new RegExp(`value="${subscriptionId}"`));
      assert.match(html, />Edit failed<\/textarea>/);
      assert.match(html, /enctype="multipart\/form-data"/);
      assert.ok(html.indexOf('Basic troubleshooting steps') < html.indexOf('action="/support/cases"'));
      assert.match(html, /check the spam filters or folder/);
    });

    let caseId = '';
    let attachmentUrl = '';

    it('opens a case with a PNG screenshot through the page form, lists it and shows the image', async () => {
      const res = await postForm(
        partnerCookie,
        '/support/cases',
        caseForm(
          {
            requestType: 'resend_provisioning_email',
            subscriptionId,
            description: 'Resend failed.\nTried twice.',
          },
          [png('resend error.png')],
        ),
      );
      assert.equal(res.status, 303, await res.clone().text());
      const location = res.headers.get('location') ?? '';
      assert.match(location, /^\/support\/cases\/[0-9a-f-]{36}$/);
      caseId = location.split('/').pop() ?? '';

      const list = await (await page(partnerCookie, '/support/cases')).text();
      assert.match(list, /CASE-\d+/);
      assert.match(list, /Resend provisioning email/);
      assert.match(list, /Open/);

      const detail = await (await page(partnerCookie, location)).text();
      assert.match(detail, /Resend failed.\nTried twice./);
      const src = /<img src="([^"]+)"/.exec(detail)?.[1] ?? '';
      assert.match(src, new RegExp(`^/support/cases/${caseId}/attachments/[0-9a-f-]{36}$`));
      attachmentUrl = src;
      const image = await page(partnerCookie, src);
      assert.equal(image.status, 200);
      assert.equal(image.headers.get('content-type'), 'image/png');
      assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
      assert.match(
        image.headers.get('content-disposition') ?? '',
        /^inline; filename\*=UTF-8''resend%20error\.png$/,
      );
      assert.deepEqual(Buffer.from(await image.arrayBuffer()), TINY_PNG);
    });

    it('opens cases through the API: JSON without files, multipart with a screenshot; lists and gets them', async () => {
      h.clock.advance(60_000);
      const json = await h.api(partner, 'POST', '/api/v1/support/cases', {
        requestType: 'other',
        description: 'A question about billing.',
      });
      assert.equal(json.status, 201);
      const created = (await json.json()) as { id: string; status: string; attachments: unknown[] };
      assert.equal(created.status, 'open');
      assert.equal(created.attachments.length, 0);

      h.clock.advance(60_000);
      const multi = await apiForm(
        partner,
        caseForm(
          { requestType: 'change_provisioning_contact_email', subscriptionId, description: 'Edit failed' },
          [png()],
        ),
      );
      assert.equal(multi.status, 201, await multi.clone().text());
      const withFile = (await multi.json()) as {
        id: string;
        subscriptionId: string;
        attachments: { contentType: string; sizeBytes: number }[];
      };
      assert.equal(withFile.subscriptionId, subscriptionId);
      assert.deepEqual(
        withFile.attachments.map((a) => [a.contentType, a.sizeBytes]),
        [['image/png', TINY_PNG.length]],
      );

      const list = (await (await h.api(partner, 'GET', '/api/v1/support/cases?limit=2')).json()) as {
        items: { id: string }[];
        nextCursor: string | null;
      };
      assert.deepEqual(
        list.items.map((c) => c.id),
        [withFile.id, created.id],
      );
      assert.ok(list.nextCursor);
      const rest = (await (
        await h.api(partner, 'GET', `/api/v1/support/cases?cursor=${list.nextCursor}`)
      ).json()) as { items: { id: string }[] };
      assert.deepEqual(
        rest.items.map((c) => c.id),
        [caseId],
      );
      const open = (await (await h.api(partner, 'GET', '/api/v1/support/cases?status=closed')).json()) as {
        items: unknown[];
      };
      assert.equal(open.items.length, 0);
      const got = await h.api(partner, 'GET', `/api/v1/support/cases/${created.id}`);
      assert.equal(got.status, 200);
    });

    it('refuses a file that says image/png but is not one, naming the file, and writes nothing', async () => {
      const [cases, files] = [await caseCount(), await attachmentCount()];
      const fake = new File(['<html>not an image</html>'], 'evil.png', { type: 'image/png' });
      const res = await apiForm(partner, caseForm({ requestType: 'other', description: 'x' }, [png(), fake]));
      assert.equal(res.status, 422);
      const body = (await res.json()) as ProblemJson;
      const error = body.errors?.find((e) => e.field === 'screenshots[1]');
      assert.equal(error?.code, 'support_image_type');
      assert.match(error?.message ?? '', /evil\.png/);
      assert.deepEqual([await caseCount(), await attachmentCount()], [cases, files]);

      const viaPage = await postForm(
        partnerCookie,
        '/support/cases',
        caseForm({ requestType: 'other', description: 'x' }, [fake]),
      );
      assert.equal(viaPage.status, 422);
      assert.match(await viaPage.text(), /“evil\.png” is not a PNG or JPEG image/);
      assert.equal(await caseCount(), cases);
    });

    it('refuses a screenshot over the size limit with a clear message, and a body over the route limit with 413', async () => {
      const big = new Uint8Array(SUPPORT_SCREENSHOT_MAX_BYTES + 1);
      big.set(TINY_PNG);
      const res = await apiForm(
        partner,
        caseForm({ requestType: 'other', description: 'x' }, [
          new File([big], 'huge.png', { type: 'image/png' }),
        ]),
      );
      assert.equal(res.status, 422);
      const body = (await res.json()) as ProblemJson;
      assert.equal(body.errors?.[0]?.code, 'support_file_too_large');
      assert.match(body.errors?.[0]?.message ?? '', /huge\.png.*larger than 5 MB/);

      const tooMuch = new File([new Uint8Array(SUPPORT_SCREENSHOT_MAX_BYTES * 6 + 10)], 'x.png');
      const over = await apiForm(partner, caseForm({ requestType: 'other', description: 'x' }, [tooMuch]));
      assert.equal(over.status, 413);
      assert.equal(((await over.json()) as ProblemJson).code, 'payload_too_large');
    });

    it(`refuses more than ${SUPPORT_SCREENSHOTS_MAX} screenshots`, async () => {
      const cases = await caseCount();
      const files = Array.from({ length: SUPPORT_SCREENSHOTS_MAX + 1 }, (_, i) => png(`s${i}.png`));
      const res = await apiForm(partner, caseForm({ requestType: 'other', description: 'x' }, files));
      assert.equal(res.status, 422);
      const body = (await res.json()) as ProblemJson;
      assert.deepEqual(
        body.errors?.map((e) => [e.field, e.code]),
        [['screenshots', 'max_items']],
      );
      assert.equal(await caseCount(), cases);
    });

    it("refuses another tenant's subscription and odd text, naming the field", async () => {
      const res = await h.api(partner, 'POST', '/api/v1/support/cases', {
        requestType: 'other',
        subscriptionId: otherSubscriptionId,
        description: 'x',
      });
      assert.equal(res.status, 422);
      assert.deepEqual(
        ((await res.json()) as ProblemJson).errors?.map((e) => [e.field, e.code]),
        [['subscriptionId', 'support_unknown_subscription']],
      );
      const odd = await h.api(partner, 'POST', '/api/v1/support/cases', {
        requestType: 'other',
        description: 'bad\u0000text',
      });
      assert.equal(odd.status, 422);
      assert.equal(((await odd.json()) as ProblemJson).errors?.[0]?.field, 'description');
      const missing = await h.api(partner, 'POST', '/api/v1/support/cases', { requestType: 'other' });
      assert.equal(((await missing.json()) as ProblemJson).errors?.[0]?.code, 'required');
    });

    it('gives another tenant 404 for the case and its attachment, on pages and the API', async () => {
      assert.equal((await page(otherCookie, `/support/cases/${caseId}`)).status, 404);
      assert.equal((await page(otherCookie, attachmentUrl)).status, 404);
      assert.equal((await h.api(other, 'GET', `/api/v1/support/cases/${caseId}`)).status, 404);
      const list = (await (await h.api(other, 'GET', '/api/v1/support/cases')).json()) as {
        items: unknown[];
      };
      assert.equal(list.items.length, 0);
      assert.equal(
        (await postFields(otherCookie, `/support/cases/${caseId}/messages`, { body: 'hi' })).status,
        404,
      );
    });

    it('gives partners 404 on the back office, and shows the entry only to operators', async () => {
      assert.equal((await page(partnerCookie, '/backoffice/orders')).status, 404);
      assert.equal((await page(partnerCookie, '/backoffice/support')).status, 404);
      assert.doesNotMatch(await (await page(partnerCookie, '/orders')).text(), /href="\/backoffice"/);
      assert.match(await (await page(operatorCookie, '/backoffice/orders')).text(), /href="\/backoffice"/);
    });

    it('shows operators every organization’s orders, searchable, and the escalated lines', async () => {
      const all = await (await page(operatorCookie, '/backoffice/orders')).text();
      assert.match(all, /PO-CASE-1/);
      assert.match(all, /PO-OTHER-1/);
      const found = await (await page(operatorCookie, '/backoffice/orders?q=PO-OTHER')).text();
      assert.doesNotMatch(found, /PO-CASE-1/);
      assert.match(found, /PO-OTHER-1/);
      const order = await h.db
        .selectFrom('orders')
        .select('id')
        .where('reference', '=', 'PO-OTHER-1')
        .executeTakeFirstOrThrow();
      assert.equal((await page(operatorCookie, `/orders/${order.id}`)).status, 200);

      assert.match(
        await (await page(operatorCookie, '/backoffice/escalations')).text(),
        /No escalated lines/,
      );
      await h.db
        .updateTable('order_lines')
        .set({ escalated_at: h.clock.now() })
        .where('order_id', '=', order.id)
        .execute();
      const escalations = await (await page(operatorCookie, '/backoffice/escalations')).text();
      assert.match(escalations, /Other Partner/);
      assert.match(escalations, new RegExp(otherSubscriptionId));
      assert.match(escalations, /it@acme\.example/);
    });

    it('lets an operator answer (the opener gets the email) and close a case; the partner sees both', async () => {
      const queue = await (await page(operatorCookie, '/backoffice/support')).text();
      const numbers = [...queue.matchAll(/>(CASE-\d+)</g)].map((m) => m[1]);
      assert.equal(numbers.length, 3);
      assert.deepEqual(numbers, [...numbers].sort(), 'oldest first');
      assert.match(queue, /Case Partner/);

      const operatorView = await page(operatorCookie, `/backoffice/support/${caseId}`);
      assert.equal(operatorView.status, 200);
      const caseNumber = /Case (CASE-\d+)/.exec(await operatorView.text())?.[1] ?? '';
      const answered = await postFields(operatorCookie, `/backoffice/support/${caseId}/answer`, {
        body: 'We resent the email to it@acme.example.',
      });
      assert.equal(answered.status, 303);
      await relayDueEmails(h.ctx);
      const [mail] = await sink.waitFor(1);
      assert.deepEqual(mail?.envelopeTo, [partner.email]);
      assert.equal(mail?.parsed.subject, `Your support case ${caseNumber} was answered`);
      assert.match(mail?.parsed.text ?? '', new RegExp(`http://provisio.test/support/cases/${caseId}`));

      const seen = await (await page(partnerCookie, `/support/cases/${caseId}`)).text();
      assert.match(seen, /We resent the email to it@acme\.example\./);
      assert.match(seen, /Answered/);
      h.clock.advance(60_000);
      const reply = await postFields(partnerCookie, `/support/cases/${caseId}/messages`, {
        body: 'Thanks, got it.',
      });
      assert.equal(reply.status, 303);

      const unconfirmed = await postFields(operatorCookie, `/backoffice/support/${caseId}/close`, {});
      assert.equal(unconfirmed.headers.get('location'), `/backoffice/support/${caseId}/close`, 'asked first');
      const confirmed = await postFields(operatorCookie, `/backoffice/support/${caseId}/close`, {
        confirm: 'yes',
      });
      assert.equal(confirmed.status, 303);
      const closed = await (await page(partnerCookie, `/support/cases/${caseId}`)).text();
      assert.match(closed, /This case is closed/);
      assert.doesNotMatch(closed, /action="\/support\/cases\/[^"]+\/messages"/);
      const late = await postFields(partnerCookie, `/support/cases/${caseId}/messages`, {
        body: 'One more thing',
      });
      assert.equal(late.status, 409);
      const api = (await (await h.api(partner, 'GET', `/api/v1/support/cases/${caseId}`)).json()) as {
        status: string;
        closedAt: string | null;
        messages: { authorKind: string }[];
      };
      assert.equal(api.status, 'closed');
      assert.ok(api.closedAt);
      assert.deepEqual(
        api.messages.map((m) => m.authorKind),
        ['operator', 'partner'],
      );
      const after = await (await page(operatorCookie, '/backoffice/support')).text();
      assert.equal([...after.matchAll(/>(CASE-\d+)</g)].length, 2);
    });
  });
}
