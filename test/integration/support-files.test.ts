import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { sweepOrphanFiles } from '../../src/modules/support/jobs.ts';
import { storeFile } from '../../src/platform/file-store.ts';
import { SUPPORT_SCREENSHOT_MAX_BYTES, SUPPORT_SCREENSHOTS_MAX } from '../../src/platform/limits.ts';
import { type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';

/** A file of exactly `size` bytes that starts like a PNG: the signature is what the check reads. */
function bigPng(size: number): Buffer {
  const bytes = randomBytes(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  return bytes;
}

function caseForm(description: string, files: Buffer[]): FormData {
  const form = new FormData();
  form.append('requestType', 'other');
  form.append('description', description);
  files.forEach((bytes, i) => {
    form.append('screenshots[]', new File([new Uint8Array(bytes)], `shot-${i}.png`, { type: 'image/png' }));
  });
  return form;
}

/** Every regular file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    statSync(path.join(dir, f)).isFile(),
  );
}

interface CaseJson {
  id: string;
  attachments: { id: string; sizeBytes: number }[];
}

for (const engine of testEngines()) {
  describe(`support screenshots live in the file store, not the database (${engine})`, () => {
    let h: Harness;
    let dataDir: string;
    let partner: Tenant;
    let other: Tenant;
    let partnerCookie = '';
    let otherCookie = '';

    const apiForm = (tenant: Tenant, form: FormData) =>
      h.app.request('/api/v1/support/cases', {
        method: 'POST',
        body: form,
        headers: { Authorization: `Bearer ${tenant.apiKey}` },
      });
    const page = (cookie: string, url: string) => h.app.request(url, { headers: { Cookie: cookie } });
    const count = async (table: 'support_cases' | 'support_case_attachments') =>
      Number(
        (
          await h.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'provisio-data-'));
      h = await startHarness(engine, { DATA_DIR: dataDir, SUPPORT_UPLOADS_CONCURRENT: '1' });
      partner = await h.tenant('partner', 'Uploading Partner');
      other = await h.tenant('partner', 'Busy Partner');
      partnerCookie = await h.signIn(partner);
      otherCookie = await h.signIn(other);
    });
    after(async () => {
      await h.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    let stored: CaseJson;
    let sent: Buffer[] = [];

    it('takes five 5 MB screenshots while another tenant keeps being answered, and returns them byte for byte', async () => {
      sent = Array.from({ length: SUPPORT_SCREENSHOTS_MAX }, () => bigPng(SUPPORT_SCREENSHOT_MAX_BYTES));
      const upload = apiForm(partner, caseForm('Five large screenshots', sent));
      const others = await Promise.all(
        Array.from({ length: 10 }, () => h.api(other, 'GET', '/api/v1/support/cases')),
      );
      for (const res of others) assert.equal(res.status, 200);
      const res = await upload;
      assert.equal(res.status, 201, await res.clone().text());
      stored = (await res.json()) as CaseJson;
      assert.equal(stored.attachments.length, SUPPORT_SCREENSHOTS_MAX);

      for (const [i, a] of stored.attachments.entries()) {
        const image = await page(partnerCookie, `/support/cases/${stored.id}/attachments/${a.id}`);
        assert.equal(image.status, 200);
        assert.equal(image.headers.get('content-length'), String(SUPPORT_SCREENSHOT_MAX_BYTES));
        const name = /shot-(\d)\.png/.exec(image.headers.get('content-disposition') ?? '')?.[1];
        const original = sent[Number(name ?? i)];
        assert.ok(original);
        assert.ok(Buffer.from(await image.arrayBuffer()).equals(original), `screenshot ${name} differs`);
      }
    });

    it('keeps the bytes under DATA_DIR and only their size and SHA-256 in the database', async () => {
      const rows = await h.db
        .selectFrom('support_case_attachments')
        .select([
          'storage_key',
          'sha256',
          'size_bytes',
          sql<number | null>`octet_length(content)`.as('bytes_in_db'),
        ])
        .where('case_id', '=', stored.id)
        .execute();
      assert.equal(rows.length, SUPPORT_SCREENSHOTS_MAX);
      const digests = new Set(sent.map((b) => createHash('sha256').update(b).digest('hex')));
      for (const row of rows) {
        assert.equal(row.bytes_in_db, null);
        assert.equal(row.size_bytes, SUPPORT_SCREENSHOT_MAX_BYTES);
        assert.ok(digests.has(row.sha256));
        const file = path.join(dataDir, 'files', ...(row.storage_key ?? '').split('/'));
        const onDisk = readFileSync(file);
        assert.equal(createHash('sha256').update(onDisk).digest('hex'), row.sha256);
      }
    });

    it("answers 404 for another tenant's screenshot, by page and by guessing the case", async () => {
      const first = stored.attachments[0];
      assert.ok(first);
      const res = await page(otherCookie, `/support/cases/${stored.id}/attachments/${first.id}`);
      assert.equal(res.status, 404);
      assert.doesNotMatch(await res.text(), /PNG/);
    });

    it('leaves no file behind and no row naming a missing file when the rows cannot be written', async () => {
      const filesBefore = filesUnder(path.join(dataDir, 'files')).sort();
      const casesBefore = await count('support_cases');
      // A real failure inside the transaction, after the files were written: the database refuses the rows.
      await sql`create function refuse_attachment() returns trigger language plpgsql as $$
        begin raise exception 'disk full (test)'; end $$`.execute(h.db);
      await sql`create trigger refuse_attachment before insert on support_case_attachments
        for each row execute function refuse_attachment()`.execute(h.db);
      try {
        const res = await apiForm(partner, caseForm('Will fail', [bigPng(1000), bigPng(2000)]));
        assert.equal(res.status, 500);
      } finally {
        await sql`drop trigger refuse_attachment on support_case_attachments`.execute(h.db);
        await sql`drop function refuse_attachment()`.execute(h.db);
      }
      assert.equal(await count('support_cases'), casesBefore);
      assert.deepEqual(filesUnder(path.join(dataDir, 'files')).sort(), filesBefore);
      const keys = await h.db.selectFrom('support_case_attachments').select('storage_key').execute();
      for (const { storage_key } of keys) {
        assert.ok(existsSync(path.join(dataDir, 'files', ...(storage_key ?? '').split('/'))));
      }
    });

    it('refuses a second upload while the limit is taken with 503 and Retry-After, and takes it after', async () => {
      // The first upload's body arrives slowly: it holds the only slot until its last bytes come.
      const multipart = new Response(caseForm('Slow upload', [bigPng(4096)]));
      const bytes = new Uint8Array(await multipart.arrayBuffer());
      let finish: () => void = () => undefined;
      const rest = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(bytes.slice(0, 100));
          await rest;
          controller.enqueue(bytes.slice(100));
          controller.close();
        },
      });
      const slow = h.app.request(
        new Request('http://localhost/api/v1/support/cases', {
          method: 'POST',
          body,
          duplex: 'half',
          headers: {
            Authorization: `Bearer ${partner.apiKey}`,
            'Content-Type': multipart.headers.get('content-type') ?? '',
          },
        } as RequestInit),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      const refused = await apiForm(other, caseForm('Second upload', [bigPng(1000)]));
      assert.equal(refused.status, 503);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.equal(((await refused.json()) as { code: string }).code, 'support_uploads_busy');
      // A case without files does not wait for the slot.
      const plain = await h.api(other, 'POST', '/api/v1/support/cases', {
        requestType: 'other',
        description: 'No files',
      });
      assert.equal(plain.status, 201);
      finish();
      assert.equal((await slow).status, 201);
      const again = await apiForm(other, caseForm('Second upload', [bigPng(1000)]));
      assert.equal(again.status, 201);
    });

    it('still serves a screenshot stored in the database before migration 0009', async () => {
      const png = bigPng(300);
      const res = await h.api(partner, 'POST', '/api/v1/support/cases', {
        requestType: 'other',
        description: 'Old case',
      });
      const { id } = (await res.json()) as CaseJson;
      const row = await h.db
        .insertInto('support_case_attachments')
        .values({
          case_id: id,
          file_name: 'old.png',
          content_type: 'image/png',
          size_bytes: png.length,
          content: png,
          sha256: createHash('sha256').update(png).digest('hex'),
          created_at: h.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const image = await page(partnerCookie, `/support/cases/${id}/attachments/${row.id}`);
      assert.equal(image.status, 200);
      assert.ok(Buffer.from(await image.arrayBuffer()).equals(png));
      assert.equal((await page(otherCookie, `/support/cases/${id}/attachments/${row.id}`)).status, 404);
    });

    it('sweeps away, a day later, a file whose row was never written (a process killed in between)', async () => {
      const filesDir = path.join(dataDir, 'files');
      const orphan = await storeFile(filesDir, 'support', new Blob([bigPng(500)]).stream());
      const temp = path.join(filesDir, 'tmp', `${randomUUID()}.part`);
      writeFileSync(temp, 'cut short');
      // Written "now" by the test's clock, which is not the machine's.
      for (const file of [temp, path.join(filesDir, ...orphan.key.split('/'))])
        utimesSync(file, h.clock.now(), h.clock.now());
      const named = await h.db.selectFrom('support_case_attachments').select('storage_key').execute();
      const onDisk = (key: string) => existsSync(path.join(filesDir, ...key.split('/')));
      assert.equal((await sweepOrphanFiles(h.ctx)).removed, 0, 'nothing is removed while it is young');
      assert.ok(onDisk(orphan.key));
      h.clock.advance(25 * 3_600_000);
      assert.equal((await sweepOrphanFiles(h.ctx)).removed, 2);
      assert.equal(onDisk(orphan.key), false);
      assert.deepEqual(filesUnder(path.join(filesDir, 'tmp')), []);
      for (const { storage_key } of named) if (storage_key) assert.ok(onDisk(storage_key), storage_key);
    });
  });
}
