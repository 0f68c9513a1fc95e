import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { hashPassword } from '../../src/platform/secrets.ts';
import { formPost, type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { addUser, customerOrganization, mappedSubscription, markProvisioned } from '../support/hub-state.ts';

/**
 * The admin hub runs the organization (issue 16 item 5, docs/adr/0035): invitations in the invitee's
 * language, roles, removal and the last-admin rule (also under races on PostgreSQL), the profile, the
 * calling locations, full admin asked and granted; every destructive step confirmed, every id checked.
 */

const PASSWORD = 'correct horse battery';

async function signIn(h: Harness, email: string) {
  const res = await h.app.request('/login', formPost({ email, password: PASSWORD }));
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('provisio_session='));
  assert.ok(cookie, `sign-in of ${email}`);
  return cookie.split(';')[0] ?? '';
}

const get = (h: Harness, path: string, cookie: string) =>
  h.app.request(path, { headers: { Cookie: cookie } });
const post = (h: Harness, path: string, cookie: string, fields: Record<string, string> = {}) =>
  h.app.request(path, formPost(fields, { Cookie: cookie }));

const userRow = (h: Harness, email: string) =>
  h.db
    .selectFrom('users')
    .select(['id', 'role', 'locale', 'password_hash'])
    .where('email', '=', email)
    .executeTakeFirst();

const audit = (h: Harness, action: string) =>
  h.db.selectFrom('audit_events').select(['entity_id', 'payload']).where('action', '=', action).execute();

/** jsonb comes back parsed from PostgreSQL and as text from PGlite's text column. */
const payloadOf = (payload: unknown): unknown =>
  typeof payload === 'string' ? JSON.parse(payload) : payload;

for (const engine of testEngines()) {
  describe(`the admin hub runs the organization (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let acme: Awaited<ReturnType<typeof customerOrganization>>;
    let globex: Awaited<ReturnType<typeof customerOrganization>>;
    let boss: string;
    let staffId: string;
    let provisioned: string;

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Northwind Partners');
      acme = await customerOrganization(h, 'Acme Kyiv', { email: 'boss@acme.example', password: PASSWORD });
      globex = await customerOrganization(h, 'Globex', { email: 'admin@globex.example', password: PASSWORD });
      staffId = (await addUser(h, acme.orgId, 'staff@acme.example', 'customer_user', PASSWORD)).id;
      provisioned = await mappedSubscription(h, partner, acme.orgId);
      await markProvisioned(h, provisioned);
      boss = await signIn(h, 'boss@acme.example');
    });
    after(() => h.close());

    it('invites a user by email in the language chosen for them, through the outbox, and refuses bad input whole', async () => {
      const form = await (await get(h, '/hub/users/invite', boss)).text();
      // The language defaults to the inviter's.
      assert.match(form, /<option value="en" lang="en" selected="">English<\/option>/);
      const outbox = () =>
        h.db
          .selectFrom('outbox_emails')
          .select(['to_address', 'locale', 'subject', 'text_body'])
          .where('kind', '=', 'hub.user_invitation')
          .execute();

      const refused = await post(h, '/hub/users/invite', boss, {
        email: 'not an address',
        role: 'operator',
        locale: 'xx',
      });
      assert.equal(refused.status, 422);
      const html = await refused.text();
      assert.match(html, /class="error-summary"/);
      assert.match(html, /Role: choose one of the options listed\./);
      assert.match(html, /Language of the invitation: choose one of the options listed\./);
      assert.equal((await outbox()).length, 0);

      const res = await post(h, '/hub/users/invite', boss, {
        email: 'Nuova@Acme.example',
        role: 'customer_user',
        locale: 'it',
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/hub/users?done=invited');
      const invited = await userRow(h, 'nuova@acme.example');
      assert.equal(invited?.role, 'customer_user');
      assert.equal(invited?.locale, 'it');
      assert.equal(invited?.password_hash, null);
      const [email] = await outbox();
      assert.equal(email?.to_address, 'nuova@acme.example');
      assert.equal(email?.locale, 'it');
      assert.equal(email?.subject, 'Sei stato invitato in Acme Kyiv su Provisio');
      assert.match(
        email?.text_body ?? '',
        /boss@acme\.example ti ha invitato in Acme Kyiv come Utente cliente/,
      );
      const link = /http:\/\/provisio\.test(\/hub\/invitations\/[A-Za-z0-9_-]{43})/.exec(
        email?.text_body ?? '',
      )?.[1];
      assert.ok(link);
      const page = await h.app.request(link);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /lang="it"/);
      assert.equal((await audit(h, 'user.invited')).filter((a) => a.entity_id === invited?.id).length, 1);
      const users = await (await get(h, '/hub/users?done=invited', boss)).text();
      assert.match(users, /nuova@acme\.example/);
      assert.match(users, /Invited/);

      const taken = await post(h, '/hub/users/invite', boss, {
        email: 'admin@globex.example',
        role: 'customer_user',
        locale: 'en',
      });
      assert.equal(taken.status, 422);
      assert.equal((await outbox()).length, 1);
    });

    it('changes a role and removes a user only from a confirmation page, and records both', async () => {
      const path = `/hub/users/${staffId}/role`;
      assert.match(await (await get(h, path, boss)).text(), /Choose the role of staff@acme\.example/);
      const unconfirmed = await post(h, path, boss, { role: 'customer_admin' });
      assert.equal(unconfirmed.status, 200);
      assert.match(
        await unconfirmed.text(),
        /staff@acme\.example changes from Customer user to Customer admin/,
      );
      assert.equal((await userRow(h, 'staff@acme.example'))?.role, 'customer_user');
      const bad = await post(h, path, boss, { role: 'partner_admin', confirm: 'yes' });
      assert.equal(bad.status, 422);
      assert.equal((await userRow(h, 'staff@acme.example'))?.role, 'customer_user');
      const done = await post(h, path, boss, { role: 'customer_admin', confirm: 'yes' });
      assert.equal(done.headers.get('location'), '/hub/users?done=role_changed');
      assert.equal((await userRow(h, 'staff@acme.example'))?.role, 'customer_admin');
      const [changed] = await audit(h, 'user.role_changed');
      assert.deepEqual(payloadOf(changed?.payload), {
        email: 'staff@acme.example',
        from: 'customer_user',
        to: 'customer_admin',
      });

      const removePath = `/hub/users/${staffId}/remove`;
      const confirmation = await (await get(h, removePath, boss)).text();
      assert.match(confirmation, /Remove staff@acme\.example\?/);
      assert.match(confirmation, /name="confirm" value="yes"/);
      assert.equal((await post(h, removePath, boss)).status, 200);
      assert.ok(await userRow(h, 'staff@acme.example'), 'a POST without confirmation removes nobody');
      const removed = await post(h, removePath, boss, { confirm: 'yes' });
      assert.equal(removed.headers.get('location'), '/hub/users?done=removed');
      assert.equal(await userRow(h, 'staff@acme.example'), undefined);
      assert.equal((await audit(h, 'user.removed')).length, 1);
      assert.equal((await post(h, removePath, boss, { confirm: 'yes' })).status, 404);
    });

    it('never demotes or removes the last admin, not even themselves', async () => {
      const me = await userRow(h, 'boss@acme.example');
      assert.ok(me);
      const demote = await post(h, `/hub/users/${me.id}/role`, boss, {
        role: 'customer_user',
        confirm: 'yes',
      });
      assert.equal(demote.status, 409);
      assert.match(
        await demote.text(),
        /This is your organization&#39;s last admin|This is your organization's last admin/,
      );
      const remove = await post(h, `/hub/users/${me.id}/remove`, boss, { confirm: 'yes' });
      assert.equal(remove.status, 409);
      assert.equal((await userRow(h, 'boss@acme.example'))?.role, 'customer_admin');
      // The database refuses it too, whoever writes.
      await assert.rejects(
        h.db.updateTable('users').set({ role: 'customer_user' }).where('id', '=', me.id).execute(),
        /keeps at least one admin/,
      );
      await assert.rejects(
        h.db.deleteFrom('users').where('id', '=', me.id).execute(),
        /keeps at least one admin/,
      );
    });

    it('edits the organization with localized field errors, writing nothing from a refused form', async () => {
      const form = await (await get(h, '/hub/organization', boss)).text();
      // Ukraine's zone is suggested first for an organization in Ukraine that never chose one.
      assert.match(
        form,
        /<optgroup label="In the chosen country">(<option [^>]*>[^<]*<\/option>)*<option value="Europe\/Kyiv" selected="">/,
      );
      const before = await h.db
        .selectFrom('organizations')
        .selectAll()
        .where('id', '=', acme.orgId)
        .executeTakeFirstOrThrow();
      for (const [fields, message] of [
        [
          { name: 'Acme Two', country: 'XX', timeZone: 'Europe/Kyiv' },
          /Country\/region: choose one of the options listed\./,
        ],
        [
          { name: 'Acme Two', country: 'UA', timeZone: 'Mars/Olympus' },
          /Time zone: choose one of the options listed\./,
        ],
        [
          { name: '\u200b \u2060', country: 'UA', timeZone: 'Europe/Kyiv' },
          /Name must contain visible characters/,
        ],
        [
          { name: 'Acme Two', country: 'UA', timeZone: 'Europe/Kyiv', businessVertical: 'astrology' },
          /Business vertical: choose one/,
        ],
      ] as const) {
        const res = await post(h, '/hub/organization', boss, { businessVertical: 'retail', ...fields });
        assert.equal(res.status, 422);
        const html = await res.text();
        assert.match(html, message);
        assert.match(html, /class="error-summary"/);
      }
      const it = await post(h, '/hub/organization', boss, { name: 'Acme Two', country: 'XX', timeZone: 'x' });
      assert.equal(it.status, 422);
      const unchanged = await h.db
        .selectFrom('organizations')
        .selectAll()
        .where('id', '=', acme.orgId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(unchanged, before);

      // A vertical stored as free text before the list existed is offered and kept as it is.
      assert.match(form, /<option value="Retail" selected="">Retail<\/option>/);
      const kept = await post(h, '/hub/organization', boss, {
        name: 'Acme Kyiv',
        businessVertical: 'Retail',
        country: 'UA',
        timeZone: 'UTC',
      });
      assert.equal(kept.status, 303);
      assert.deepEqual(
        await h.db
          .selectFrom('organizations')
          .selectAll()
          .where('id', '=', acme.orgId)
          .executeTakeFirstOrThrow(),
        before,
      );

      const saved = await post(h, '/hub/organization', boss, {
        name: '  Acme Kyiv S.r.l.  ',
        businessVertical: 'finance',
        country: 'IT',
        timeZone: 'Europe/Rome',
      });
      assert.equal(saved.headers.get('location'), '/hub?done=organization_saved#organization');
      const org = await h.db
        .selectFrom('organizations')
        .selectAll()
        .where('id', '=', acme.orgId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [org.name, org.business_vertical, org.country, org.time_zone],
        ['Acme Kyiv S.r.l.', 'finance', 'IT', 'Europe/Rome'],
      );
      const [record] = await audit(h, 'organization.updated');
      assert.deepEqual((payloadOf(record?.payload) as { changed: string[] }).changed, [
        'name',
        'business_vertical',
        'country',
        'time_zone',
      ]);
      // Italian field errors on an Italian page.
      const italian = await h.app.request(
        '/hub/organization',
        formPost(
          { name: '', country: 'UA', timeZone: 'Europe/Kyiv' },
          { Cookie: `${boss}; provisio_lang=it` },
        ),
      );
      assert.match(await italian.text(), /Nome: campo obbligatorio\./);
    });

    it('adds, edits and removes calling locations; the main one of a provisioned subscription stays', async () => {
      const list = await (await get(h, '/hub/locations', boss)).text();
      assert.match(list, /Kyiv HQ/);
      const main = await h.db
        .selectFrom('calling_locations')
        .select('id')
        .where('subscription_id', '=', provisioned)
        .executeTakeFirstOrThrow();
      const count = async () =>
        Number(
          (
            await h.db
              .selectFrom('calling_locations')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await count();
      const location = {
        subscriptionId: provisioned,
        name: 'Lviv office',
        country: 'UA',
        addressLine1: 'Rynok Square 1',
        city: 'Lviv',
        timeZone: 'Europe/Kyiv',
        language: 'uk',
      };
      const refused = await post(h, '/hub/locations/new', boss, {
        ...location,
        city: ' ',
        timeZone: 'Nowhere/Else',
        subscriptionId: 'SUB-0',
      });
      assert.equal(refused.status, 422);
      const html = await refused.text();
      assert.match(html, /City is required\./);
      assert.match(html, /Subscription: choose one of the options listed\./);
      assert.equal(await count(), before);

      const added = await post(h, '/hub/locations/new', boss, location);
      assert.equal(added.headers.get('location'), '/hub/locations?done=location_added');
      const row = await h.db
        .selectFrom('calling_locations')
        .selectAll()
        .where('name', '=', 'Lviv office')
        .executeTakeFirstOrThrow();
      assert.equal(row.is_main, false);
      assert.equal(row.organization_id, acme.orgId);

      const edited = await post(h, `/hub/locations/${row.id}/edit`, boss, {
        ...location,
        name: 'Lviv centre',
      });
      assert.equal(edited.headers.get('location'), '/hub/locations?done=location_saved');
      assert.equal(
        (
          await h.db
            .selectFrom('calling_locations')
            .select('name')
            .where('id', '=', row.id)
            .executeTakeFirstOrThrow()
        ).name,
        'Lviv centre',
      );

      assert.equal((await post(h, `/hub/locations/${row.id}/remove`, boss)).status, 200);
      assert.equal(await count(), before + 1, 'a POST without confirmation removes nothing');
      const removed = await post(h, `/hub/locations/${row.id}/remove`, boss, { confirm: 'yes' });
      assert.equal(removed.headers.get('location'), '/hub/locations?done=location_removed');
      assert.equal(await count(), before);

      const inUse = await post(h, `/hub/locations/${main.id}/remove`, boss, { confirm: 'yes' });
      assert.equal(inUse.status, 409);
      assert.match(await inUse.text(), new RegExp(`main calling location of subscription ${provisioned}`));
      assert.equal(await count(), before);
      const actions = (
        await h.db
          .selectFrom('audit_events')
          .select('action')
          .where('entity_type', '=', 'calling_location')
          .execute()
      ).map((a) => a.action);
      assert.deepEqual(actions.sort(), [
        'calling_location.added',
        'calling_location.removed',
        'calling_location.updated',
      ]);
    });

    it("answers another organization's user and location ids, and non-admins, with 404", async () => {
      const other = await signIn(h, 'admin@globex.example');
      const victim = await userRow(h, 'boss@acme.example');
      const location = await h.db
        .selectFrom('calling_locations')
        .select('id')
        .where('organization_id', '=', acme.orgId)
        .executeTakeFirstOrThrow();
      for (const path of [
        `/hub/users/${victim?.id}/role`,
        `/hub/users/${victim?.id}/remove`,
        `/hub/locations/${location.id}/edit`,
        `/hub/locations/${location.id}/remove`,
        '/hub/users/not-a-uuid/role',
      ]) {
        assert.equal((await get(h, path, other)).status, 404, path);
        assert.equal(
          (await post(h, path, other, { role: 'customer_user', confirm: 'yes', name: 'x' })).status,
          404,
          path,
        );
      }
      assert.ok(await userRow(h, 'boss@acme.example'));
      await addUser(h, globex.orgId, 'plain@globex.example', 'customer_user', PASSWORD);
      const plain = await signIn(h, 'plain@globex.example');
      for (const path of [
        '/hub/users',
        '/hub/users/invite',
        '/hub/organization',
        '/hub/locations',
        '/hub/locations/new',
      ])
        assert.equal((await get(h, path, plain)).status, 404, path);
    });

    it('asks to confirm Request and Grant full admin, and emails the other side', async () => {
      const partnerSession = await h.signIn(partner);
      const emails = (kind: string) =>
        h.db.selectFrom('outbox_emails').select(['to_address', 'subject']).where('kind', '=', kind).execute();
      const requestPath = `/hub/customers/${acme.orgId}/request-full-admin`;
      assert.match(
        await (await get(h, requestPath, partnerSession)).text(),
        /Request full admin of Acme Kyiv S\.r\.l\.\?/,
      );
      assert.equal((await post(h, requestPath, partnerSession)).status, 200);
      assert.equal((await emails('hub.full_admin_request')).length, 0);
      const requested = await post(h, requestPath, partnerSession, { confirm: 'yes' });
      assert.equal(requested.headers.get('location'), '/hub?done=requested#customers');
      assert.deepEqual(
        (await emails('hub.full_admin_request')).map((e) => e.to_address),
        ['boss@acme.example'],
      );

      const grantPath = `/hub/partners/${partner.orgId}/grant-full-admin`;
      const confirmation = await (await get(h, grantPath, boss)).text();
      assert.match(confirmation, /Grant full admin to Northwind Partners\?/);
      assert.equal((await post(h, grantPath, boss)).status, 200);
      assert.equal((await emails('hub.full_admin_granted')).length, 0);
      const granted = await post(h, grantPath, boss, { confirm: 'yes' });
      assert.equal(granted.headers.get('location'), '/hub?done=granted#partners');
      const [told] = await emails('hub.full_admin_granted');
      assert.equal(told?.to_address, partner.email);
      assert.equal(told?.subject, 'Acme Kyiv S.r.l. made you a full admin');
    });
  });

  describe(`the last-admin rule under concurrent requests (${engine})`, () => {
    let h: Harness;
    let other: Awaited<ReturnType<Harness['sibling']>>;
    before(async () => {
      h = await startHarness(engine);
      other = await h.sibling();
    });
    after(async () => {
      await other.close();
      await h.close();
    });

    it('leaves at least one admin when two admins demote or remove each other at once, 20 rounds', async () => {
      const org = await customerOrganization(h, 'Twin Admins', {
        email: 'a@twins.example',
        password: PASSWORD,
      });
      const hash = await hashPassword(PASSWORD);
      const admins = {
        a: { id: org.adminId, email: 'a@twins.example', cookie: '' },
        b: { id: '', email: 'b@twins.example', cookie: '' },
      };
      /** Both admins again, each signed in, for the next round (a removed one is added back). */
      const restore = async () => {
        await h.db
          .updateTable('users')
          .set({ role: 'customer_admin' })
          .where('organization_id', '=', org.orgId)
          .execute();
        for (const admin of Object.values(admins)) {
          if (admin.id && (await userRow(h, admin.email))) continue;
          const user = await identity.createUser(h.ctx, {
            organizationId: org.orgId,
            email: admin.email,
            role: 'customer_admin',
            passwordHash: hash,
          });
          admin.id = user.id;
          admin.cookie = '';
        }
        for (const admin of Object.values(admins))
          if (!admin.cookie) admin.cookie = await signIn(h, admin.email);
      };
      await restore();
      for (let round = 0; round < 20; round += 1) {
        const removing = round % 4 === 3;
        const act = (app: Harness['app'], cookie: string, target: string) =>
          app.request(
            `/hub/users/${target}/${removing ? 'remove' : 'role'}`,
            formPost({ role: 'customer_user', confirm: 'yes' }, { Cookie: cookie }),
          );
        // Two app instances (on PostgreSQL two connection pools), each admin acting on the other.
        const [first, second] = await Promise.all([
          act(h.app, admins.a.cookie, admins.b.id),
          act(other.app, admins.b.cookie, admins.a.id),
        ]);
        const statuses = [first.status, second.status].sort();
        // One wins; the other finds itself no longer an admin (404) or the last one (409).
        assert.equal(statuses.filter((s) => s === 303).length, 1, `round ${round}: ${statuses}`);
        const left = await h.db
          .selectFrom('users')
          .select('email')
          .where('organization_id', '=', org.orgId)
          .where('role', '=', 'customer_admin')
          .execute();
        assert.equal(left.length, 1, `round ${round}`);
        await restore();
      }
    });

    it('keeps an admin when two writers bypass the app and demote both admins in overlapping transactions', async (t) => {
      if (engine !== 'postgres') return t.skip('one connection: PGlite runs transactions one after another');
      const org = await customerOrganization(h, 'Raw Writers', { email: 'x@raw.example' });
      const y = await identity.createUser(h.ctx, {
        organizationId: org.orgId,
        email: 'y@raw.example',
        role: 'customer_admin',
      });
      let updated!: () => void;
      const firstUpdated = new Promise<void>((resolve) => {
        updated = resolve;
      });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = h.db.transaction().execute(async (tx) => {
        await tx.updateTable('users').set({ role: 'customer_user' }).where('id', '=', org.adminId).execute();
        updated();
        await gate;
      });
      await firstUpdated;
      const second = other.rt.db.transaction().execute(async (tx) => {
        await tx.updateTable('users').set({ role: 'customer_user' }).where('id', '=', y.id).execute();
      });
      // The second waits on the organization's row (or starts later); once the first commits, it counts again.
      release();
      await first;
      await assert.rejects(second, /keeps at least one admin/);
      const admins = await h.db
        .selectFrom('users')
        .select('id')
        .where('organization_id', '=', org.orgId)
        .where('role', '=', 'customer_admin')
        .execute();
      assert.deepEqual(
        admins.map((r) => r.id),
        [y.id],
      );
    });
  });
}
