import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { SIGN_IN_LIMITS, signInBucketKeys } from '../../src/modules/identity/sign-in-limits.ts';
import { normalizeEmail } from '../../src/platform/email.ts';
import { formPost, type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';

type App = Harness['app'];

/** A login form post from `client` (sent as X-Forwarded-For: the harness trusts one proxy). */
function login(
  app: App,
  email: string,
  password: string,
  client: string,
  headers: Record<string, string> = {},
) {
  return app.request(
    '/login',
    formPost({ email, password }, { 'X-Forwarded-For': `203.0.113.250, ${client}`, ...headers }),
  );
}

function tally(responses: Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

async function attemptRows(h: Harness): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from sign_in_attempts`.execute(h.db);
  return rows[0]?.n ?? 0;
}

const LIMIT = SIGN_IN_LIMITS.perAddressAndClient;

for (const engine of testEngines()) {
  describe(`sign-in limits (${engine})`, () => {
    let h: Harness;

    before(async () => {
      h = await startHarness(engine, { TRUST_PROXY: 'true' });
    });
    after(() => h.close());

    it('counts each attempt before checking its password: of 300 concurrent guesses only the limit are checked', async () => {
      const victim = await h.tenant('partner', 'Besieged');
      const client = '198.51.100.7';
      const guesses = await Promise.all(
        Array.from({ length: 300 }, (_, i) => login(h.app, victim.email, `wrong-guess-${i}`, client)),
      );
      // A 401 is a password that was checked; every other attempt was refused before it.
      assert.deepEqual(tally(guesses), { 401: LIMIT, 429: 300 - LIMIT });

      const right = await login(h.app, victim.email, victim.password, client, { 'Accept-Language': 'it' });
      assert.equal(right.status, 429);
      assert.equal(right.headers.get('retry-after'), String(SIGN_IN_LIMITS.windowMinutes * 60));
      assert.equal(right.headers.getSetCookie().length, 0);
      assert.match(
        await right.text(),
        /Troppe password errate per questo indirizzo\. Riprovare tra 15 minuti/,
      );
    });

    it('is shared by every app instance on the database', async () => {
      const victim = await h.tenant('partner', 'Shared');
      const client = '198.51.100.8';
      const other = await h.sibling();
      try {
        const guesses = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            login(i % 2 ? other.app : h.app, victim.email, `wrong-guess-${i}`, client),
          ),
        );
        assert.deepEqual(tally(guesses), { 401: LIMIT, 429: 40 - LIMIT });
        assert.equal((await login(other.app, victim.email, victim.password, client)).status, 429);
        assert.equal((await login(h.app, victim.email, victim.password, client)).status, 429);
      } finally {
        await other.close();
      }
    });

    it('locks an address out for the guessing client only; a success starts that pair afresh', async () => {
      const victim = await h.tenant('partner', 'Elsewhere');
      for (let i = 0; i < LIMIT; i++) {
        assert.equal((await login(h.app, victim.email, `guess-${i}-guess`, '192.0.2.66')).status, 401);
      }
      assert.equal((await login(h.app, victim.email, victim.password, '192.0.2.66')).status, 429);

      // The real user, somewhere else, is not affected, and a success clears their own count.
      const home = '2001:db8:aa:bb::17';
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < LIMIT - 1; i++) {
          assert.equal((await login(h.app, victim.email, `typo-${round}-${i}`, home)).status, 401);
        }
        assert.equal((await login(h.app, victim.email, victim.password, home)).status, 303);
      }
      // Another address in the same IPv6 /64 is the same client.
      for (let i = 0; i < LIMIT; i++) {
        assert.equal(
          (await login(h.app, victim.email, `guess-${i}-guess`, '2001:db8:aa:bb::99')).status,
          401,
        );
      }
      assert.equal((await login(h.app, victim.email, victim.password, home)).status, 429);
    });

    it('gives a successful attempt back to the client, and names buckets by hashes only', async () => {
      const user = await h.tenant('partner', 'Counted');
      const client = '192.0.2.77';
      await login(h.app, user.email, 'wrong-password-1', client);
      await login(h.app, user.email, 'wrong-password-2', client);
      assert.equal((await login(h.app, user.email, user.password, client)).status, 303);
      const keys = signInBucketKeys(normalizeEmail(user.email), client);
      const rows = await h.db
        .selectFrom('sign_in_attempts')
        .select(['key_hash', 'scope', 'attempts'])
        .where('key_hash', 'in', [keys.pairKey, keys.clientKey])
        .execute();
      assert.deepEqual(rows, [{ key_hash: keys.clientKey, scope: 'client', attempts: 2 }]);
    });

    it('limits a client overall, whatever addresses it tries, without touching other clients', async () => {
      const user = await h.tenant('partner', 'Sprayed');
      const sprayer = '198.51.100.99';
      const attempts = SIGN_IN_LIMITS.perClient + 10;
      const sprayed = await Promise.all(
        Array.from({ length: attempts }, (_, i) =>
          login(h.app, `nobody-${i}@spray.example`, 'password-1', sprayer),
        ),
      );
      assert.deepEqual(tally(sprayed), { 401: SIGN_IN_LIMITS.perClient, 429: 10 });

      const refused = await login(h.app, user.email, user.password, sprayer);
      assert.equal(refused.status, 429);
      assert.match(
        await refused.text(),
        /Too many failed sign-ins from your network\. Try again in 15 minutes/,
      );
      assert.equal((await login(h.app, user.email, user.password, '198.51.100.100')).status, 303);
    });

    it('refuses an over-long address or password before counting or hashing anything', async () => {
      const before = await attemptRows(h);
      const longEmail = `${'a'.repeat(100_000)}@long.example`;
      const res = await login(h.app, longEmail, 'whatever-password', '192.0.2.200');
      assert.equal(res.status, 422);
      const html = await res.text();
      assert.match(html, /Email address must be at most 254 characters long\./);
      assert.match(html, /aria-describedby="error-email"/);
      assert.ok(!html.includes('a'.repeat(300)), 'the address is not echoed back');
      const longPassword = await login(h.app, 'someone@long.example', 'p'.repeat(1025), '192.0.2.200');
      assert.equal(longPassword.status, 422);
      assert.match(await longPassword.text(), /Password must be at most 1024 characters long\./);
      assert.equal(await attemptRows(h), before);
    });

    it('purges buckets whose window has passed as it counts new attempts', async () => {
      const expired = async () => {
        const cutoff = new Date(h.clock.now().getTime() - SIGN_IN_LIMITS.windowMinutes * 60_000);
        const row = await h.db
          .selectFrom('sign_in_attempts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('window_started_at', '<=', cutoff)
          .executeTakeFirstOrThrow();
        return Number(row.n);
      };
      h.clock.advance((SIGN_IN_LIMITS.windowMinutes + 1) * 60_000);
      const stale = await expired();
      assert.ok(stale > 20, `${stale} expired buckets`);
      await login(h.app, 'later@purge.example', 'password-2', '192.0.2.201');
      assert.equal(await expired(), stale - 20);
    });
  });
}

describe('sign-in limits without TRUST_PROXY', () => {
  let h: Harness;
  let victim: Tenant;
  before(async () => {
    h = await startHarness('pglite');
    victim = await h.tenant('partner', 'Untrusting');
  });
  after(() => h.close());

  it('ignores X-Forwarded-For: a caller cannot pick the client it is counted as', async () => {
    for (let i = 0; i < LIMIT; i++) {
      assert.equal((await login(h.app, victim.email, `guess-${i}-guess`, `192.0.2.${i}`)).status, 401);
    }
    assert.equal((await login(h.app, victim.email, victim.password, '192.0.2.250')).status, 429);
  });
});
