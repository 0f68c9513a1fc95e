import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Hono } from 'hono';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { ModuleDeclaration } from '../../src/modules/declaration.ts';
import * as apiKeys from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { Ctx, OrgKind } from '../../src/platform/context.ts';
import { connectPostgres, type DatabaseHandle, openPglite } from '../../src/platform/db.ts';
import type { AppEnv } from '../../src/platform/http.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Runtime } from '../../src/platform/runtime.ts';
import type { Resolver } from '../../src/platform/safe-targets.ts';
import { createRuntime } from '../../src/runtime.ts';
import { pgliteStart } from './database-image.ts';
import { createFromTemplate } from './postgres-template.ts';

export type Engine = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL names a server. */
export function testEngines(): Engine[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * A fresh database: in-memory PGlite, or a new database on the test server (dropped on close). It is
 * already migrated, copied from a template (see database-image.ts, postgres-template.ts), unless
 * `empty` asks for one that holds nothing yet (tests of the migrations themselves).
 */
export async function freshDatabase(
  engine: Engine,
  options: { empty?: boolean } = {},
): Promise<DatabaseHandle & { url?: string }> {
  if (engine === 'pglite') return openPglite(undefined, options.empty ? {} : await pgliteStart());
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `provisio_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  if (options.empty) await admin.query(`create database ${name}`);
  else await createFromTemplate(admin, serverUrl, name);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = connectPostgres(url.toString(), 10);
  return {
    ...handle,
    url: url.toString(),
    engine: 'postgres',
    close: async () => {
      await handle.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

export const CATALOG_FILE = path.resolve(import.meta.dirname, '..', '..', 'config', 'catalog.json');

export interface Tenant {
  orgId: string;
  apiKey: string;
  email: string;
  password: string;
}

export interface Harness {
  engine: Engine;
  /** The test database's address, on PostgreSQL (for a CLI run against it). */
  databaseUrl: string | undefined;
  rt: Runtime;
  app: Hono<AppEnv>;
  db: DatabaseHandle['db'];
  clock: ManualClock;
  ctx: Ctx;
  logs: string[];
  /** Calls the API as a tenant (JSON in, Response out). */
  api(
    tenant: Tenant | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  tenant(kind?: OrgKind, name?: string): Promise<Tenant>;
  /** Signs in through the login form; returns the session cookie ("provisio_session=…"). */
  signIn(tenant: Tenant): Promise<string>;
  /**
   * A second runtime and app on the same database, as another process would have: on PostgreSQL
   * with a pool of its own, on PGlite sharing the one connection. Its clock is the harness's.
   */
  sibling(options?: {
    /** Other module declarations than Provisio's own (e.g. the same in another order). */
    modules?: readonly ModuleDeclaration[];
  }): Promise<{ rt: Runtime; app: Hono<AppEnv>; close(): Promise<void> }>;
  close(): Promise<void>;
}

export const TODAY = '2026-11-21';
export const PUBLIC_URL = 'http://provisio.test';

/**
 * Everything an integration test needs: a migrated fresh database and the HTTP app on it, with a
 * movable clock. `settings` adds environment settings (e.g. TRUST_PROXY) to the test configuration;
 * `options.resolve` replaces DNS for webhook targets (a name that changes its address).
 */
export async function startHarness(
  engine: Engine,
  settings: Record<string, string> = {},
  options: { resolve?: Resolver } = {},
): Promise<Harness> {
  const handle = await freshDatabase(engine);
  const clock = new ManualClock(new Date(`${TODAY}T09:00:00Z`));
  const logs: string[] = [];
  const log = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  // Uploaded files go to a directory of this test's own unless the test names one.
  const files =
    settings.DATA_DIR || settings.FILES_DIR
      ? {}
      : { FILES_DIR: mkdtempSync(path.join(tmpdir(), 'provisio-files-')) };
  const config = loadConfig({ PUBLIC_URL, CATALOG_FILE, ...files, ...settings });
  const rt = await createRuntime({ config, log, clock, database: handle, ...options });
  const ctx = rt.systemContext('test');
  const app = createApp(rt);
  let counter = 0;
  return {
    engine,
    databaseUrl: handle.url,
    rt,
    app,
    db: handle.db,
    clock,
    ctx,
    logs,
    api(tenant, method, path, body, headers = {}) {
      return Promise.resolve(
        app.request(path, {
          method,
          headers: {
            ...(tenant ? { Authorization: `Bearer ${tenant.apiKey}` } : {}),
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        }),
      );
    },
    async tenant(kind = 'partner', name) {
      counter += 1;
      const label = name ?? `${kind} ${counter}`;
      const slug = `${kind}${counter}-${randomBytes(3).toString('hex')}`;
      const org = await identity.createOrganization(ctx, {
        kind,
        name: label,
        country: 'IT',
        domains: [{ domain: `${slug}.example`, status: 'verified' }],
      });
      const email = `admin@${slug}.example`;
      const password = 'correct horse battery';
      await identity.createUser(ctx, {
        organizationId: org.id,
        email,
        role: 'partner_admin',
        password,
        locale: 'en',
      });
      const { key } = await apiKeys.createApiKey(ctx, org.id, 'test');
      return { orgId: org.id, apiKey: key, email, password };
    },
    async signIn(tenant) {
      const res = await app.request('/login', formPost({ email: tenant.email, password: tenant.password }));
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('provisio_session='));
      if (res.status !== 303 || !cookie) throw new Error(`sign-in failed with ${res.status}`);
      return cookie.split(';')[0] ?? '';
    },
    async sibling(siblingOptions = {}) {
      const database: DatabaseHandle = handle.url
        ? connectPostgres(handle.url, 10)
        : { ...handle, close: async () => undefined };
      const other = await createRuntime({
        config,
        log,
        clock,
        database,
        ...options,
        ...(siblingOptions.modules ? { modules: siblingOptions.modules } : {}),
      }).catch(async (error: unknown) => {
        await database.close();
        throw error;
      });
      try {
        return { rt: other, app: createApp(other), close: () => other.close() };
      } catch (error) {
        await other.close();
        throw error;
      }
    },
    async close() {
      await rt.close();
      if (files.FILES_DIR) rmSync(files.FILES_DIR, { recursive: true, force: true });
    },
  };
}

/** A form POST as a browser on this site sends it (the workspace refuses other origins). */
export function formPost(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost', ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

/** How many rows a table holds: tests check that refused input wrote nothing. */
export async function countRows(
  db: DatabaseHandle['db'],
  table: 'orders' | 'order_lines' | 'idempotency_keys',
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The minimal order body, with overrides. */
export function orderBody(overrides: Record<string, unknown> = {}, line: Record<string, unknown> = {}) {
  return {
    reference: `PO-${randomBytes(4).toString('hex')}`,
    endCustomer: { name: 'Acme' },
    lines: [
      {
        offer: 'A-WX',
        quantity: 50,
        requestedStartDate: '2026-12-01',
        provisioningContactEmail: 'it@acme.example',
        ...line,
      },
    ],
    ...overrides,
  };
}
