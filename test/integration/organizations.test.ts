import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrganization } from '../../src/modules/identity/service.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';

for (const engine of testEngines()) {
  describe(`organizations (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h?.close());

    async function refusal(input: Parameters<typeof createOrganization>[1]): Promise<string[]> {
      const before = await h.db.selectFrom('organizations').select('id').execute();
      const error = await createOrganization(h.ctx, input).then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof DomainError);
      assert.equal(error.status, 422);
      const afterRows = await h.db.selectFrom('organizations').select('id').execute();
      assert.equal(afterRows.length, before.length, 'nothing written');
      return error.fields.map((f) => `${f.field}:${f.rule}`);
    }

    it('refuses a time zone the dispatch query could not compute with, naming the field', async () => {
      assert.deepEqual(await refusal({ kind: 'partner', name: 'Zoned', timeZone: 'Mars/Olympus' }), [
        'timeZone:time_zone',
      ]);
      assert.deepEqual(
        await refusal({ kind: 'partner', name: 'Zoned', timeZone: "UTC'; drop table orders; --" }),
        ['timeZone:time_zone'],
      );
    });

    it('refuses unassigned country codes and domains that are no host names', async () => {
      assert.deepEqual(await refusal({ kind: 'customer', name: 'Nowhere', country: 'ZZ' }), [
        'country:country',
      ]);
      assert.deepEqual(
        await refusal({
          kind: 'customer',
          name: 'Badly',
          domains: [{ domain: 'not a domain', status: 'claimed' }],
        }),
        ['domains.0:invalid'],
      );
    });

    it('refuses a name made only of invisible characters, whoever creates the organization', async () => {
      assert.deepEqual(await refusal({ kind: 'customer', name: '\u200b\u2060\u200d' }), [
        'name:invisible_only',
      ]);
    });

    it('stores an internationalized domain as punycode', async () => {
      const org = await createOrganization(h.ctx, {
        kind: 'customer',
        name: 'Приклад',
        country: 'UA',
        timeZone: 'Europe/Kyiv',
        domains: [{ domain: 'Приклад.укр', status: 'verified' }],
      });
      const rows = await h.db
        .selectFrom('organization_domains')
        .select('domain')
        .where('organization_id', '=', org.id)
        .execute();
      assert.deepEqual(
        rows.map((r) => r.domain),
        ['xn--80aikifvh.xn--j1amh'],
      );
      assert.equal(org.time_zone, 'Europe/Kyiv');
    });
  });
}
