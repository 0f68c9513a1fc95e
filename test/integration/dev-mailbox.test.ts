import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { queueEmail, relayDueEmails } from '../../src/platform/mail/outbox.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';

const message = (to: string) => ({
  kind: 'test.message',
  to,
  locale: 'en' as const,
  subject: `For ${to}`,
  html: '<p><a href="http://provisio.test/setup/x">Set up now</a></p>',
  text: 'Set up now: http://provisio.test/setup/x',
});

for (const engine of testEngines()) {
  describe(`the development mailbox's To filter (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
      // One internationalized address kept in punycode (as Provisio sends), one in Unicode, one lookalike.
      for (const to of ['hans@xn--mller-kva.example', 'greta@müller.example', 'bob@mueller.example'])
        await queueEmail(h.ctx, message(to));
      assert.equal((await relayDueEmails(h.ctx)).sent, 3);
    });
    after(() => h.close());

    const found = async (to: string) => {
      const res = await h.app.request(`/dev/mailbox?to=${encodeURIComponent(to)}`);
      assert.equal(res.status, 200);
      const page = await res.text();
      return ['hans', 'greta', 'bob'].filter((name) => page.includes(`For ${name}@`));
    };

    it('finds part of an address typed in Unicode or in punycode, in any case', async () => {
      assert.deepEqual(await found('müller'), ['hans', 'greta']);
      assert.deepEqual(await found('MÜLL'), ['hans', 'greta']);
      assert.deepEqual(await found('xn--mller'), ['hans', 'greta']);
      assert.deepEqual(await found('hans@müller.example'), ['hans']);
      assert.deepEqual(await found('greta@xn--mller-kva.example'), ['greta']);
      assert.deepEqual(await found('mueller'), ['bob']);
      assert.deepEqual(await found('%'), [], 'a LIKE wildcard is a character like any other');
      assert.deepEqual(await found(''), ['hans', 'greta', 'bob']);
    });

    it('shows addresses in Unicode, and lets the preview open its links in a new tab', async () => {
      const listing = await (await h.app.request('/dev/mailbox')).text();
      assert.match(listing, /hans@müller\.example/);
      const id = /href="\/dev\/mailbox\/(\d+)"/.exec(listing)?.[1];
      const page = await (await h.app.request(`/dev/mailbox/${id}`)).text();
      assert.match(page, /sandbox="allow-popups allow-popups-to-escape-sandbox"/);
      const html = await (await h.app.request(`/dev/mailbox/${id}/html`)).text();
      assert.match(html, /^<base target="_blank">/);
    });
  });
}
