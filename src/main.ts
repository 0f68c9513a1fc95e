import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { openReadyDatabase, systemContext } from './boot.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { seedDemo } from './demo/seed.ts';
import * as identity from './modules/identity/service.ts';
import type { Role } from './platform/context.ts';
import { DomainError } from './platform/errors.ts';
import { problemBody } from './platform/http.ts';
import { isLocale } from './platform/i18n.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { randomToken } from './platform/secrets.ts';

const HELP = `Usage: provisio <command> [options]

Commands:
  start                         Serve the web app and API (migrations are applied first).
  migrate                       Apply pending database migrations and exit.
  seed --demo                   Load the demo organizations, users and orders; prints logins as JSON.
  org create --kind <partner|distributor|customer> --name <name> [--country XX] [--domain d[:claimed]]...
                                Create an organization; prints it as JSON.
  user create --org <id> --email <email> --role <role> [--password <pw>] [--locale en|it|pt-BR|ru|uk]
                                Add a user (roles: partner_admin, partner_user, customer_admin,
                                customer_user). Without --password a random one is generated and printed.
  apikey create --org <id> [--name <name>]
                                Issue an API key for a partner or distributor; it is shown once,
                                only its hash is stored.
  help, --help                  Show this text.

Settings come from the environment; see the README's configuration table.`;

async function withDatabase<T>(
  config: Config,
  log: Logger,
  work: (ctx: ReturnType<typeof systemContext>) => Promise<T>,
) {
  const handle = await openReadyDatabase(config, log);
  try {
    return await work(systemContext(handle, log, 'cli'));
  } finally {
    await handle.close();
  }
}

function one(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

class UsageError extends Error {}

async function start(config: Config, log: Logger): Promise<void> {
  const handle = await openReadyDatabase(config, log);
  const ctx = systemContext(handle, log, 'boot');
  const embedded = !config.databaseUrl;
  const shouldSeed = config.demoSeed === 'always' || (config.demoSeed === 'auto' && embedded);
  if (shouldSeed) {
    const demo = await seedDemo(ctx, {
      onlyIfEmpty: true,
      ...(config.demoPassword ? { password: config.demoPassword } : {}),
    });
    if (demo) {
      const logins = demo.users
        .filter((u) => u.role.startsWith('partner'))
        .map(({ email, role }) => ({ email, role }));
      // The demo password is shown on purpose: this is a fresh embedded database with demo data only.
      log.info(
        { logins, demoPassword: demo.users[0]?.password, url: config.publicUrl },
        'demo data loaded: sign in with any of these logins',
      );
    }
  }
  const app = createApp({
    db: handle.db,
    clock: ctx.clock,
    log,
    defaultLocale: config.defaultLocale,
    publicUrl: config.publicUrl,
    sessionTtlHours: config.sessionTtlHours,
    sessionCookieSecure: config.sessionCookieSecure,
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    log.info({ port: info.port, engine: handle.engine, url: config.publicUrl }, 'Provisio is listening');
  });
  const stop = () => {
    log.info('shutting down');
    server.close(() => void handle.close().then(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export async function main(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig();
  const log = createLogger(command === 'start' ? config.logLevel : 'warn');
  const { values } = parseArgs({
    args: argv.slice(command === 'start' || command === 'migrate' || command === 'seed' ? 1 : 2),
    options: {
      demo: { type: 'boolean' },
      org: { type: 'string' },
      name: { type: 'string' },
      kind: { type: 'string' },
      country: { type: 'string' },
      domain: { type: 'string', multiple: true },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      locale: { type: 'string' },
    },
    strict: true,
  });

  if (command === 'start') {
    await start(config, log);
    return -1;
  }
  if (command === 'migrate') {
    await withDatabase(config, log, async () => undefined);
    console.log(JSON.stringify({ status: 'migrated' }));
    return 0;
  }
  if (command === 'seed') {
    if (!values.demo) throw new UsageError('seed needs --demo');
    const demo = await withDatabase(config, log, (ctx) =>
      seedDemo(ctx, config.demoPassword ? { password: config.demoPassword } : {}),
    );
    console.log(JSON.stringify(demo));
    return 0;
  }
  if (command === 'org' && sub === 'create') {
    const kind = one(values, 'kind');
    if (kind !== 'partner' && kind !== 'distributor' && kind !== 'customer')
      throw new UsageError('--kind must be partner, distributor or customer');
    const org = await withDatabase(config, log, (ctx) =>
      identity.createOrganization(ctx, {
        kind,
        name: one(values, 'name'),
        country: typeof values.country === 'string' ? values.country.toUpperCase() : null,
        domains: (values.domain ?? []).map((d) => {
          const [domain = '', status] = d.split(':');
          return { domain, status: status === 'claimed' ? 'claimed' : 'verified' };
        }),
      }),
    );
    console.log(JSON.stringify({ id: org.id, name: org.name, kind: org.kind }));
    return 0;
  }
  if (command === 'user' && sub === 'create') {
    const given = typeof values.password === 'string' ? values.password : undefined;
    const password = given ?? randomToken(16).slice(0, 16);
    const locale = values.locale;
    if (locale !== undefined && !isLocale(locale))
      throw new UsageError('--locale must be one of en, it, pt-BR, ru, uk');
    const user = await withDatabase(config, log, (ctx) =>
      identity.createUser(ctx, {
        organizationId: one(values, 'org'),
        email: one(values, 'email'),
        role: one(values, 'role') as Role,
        password,
        ...(locale ? { locale } : {}),
      }),
    );
    // A password typed on the command line is not echoed back; a generated one is shown once.
    console.log(
      JSON.stringify({
        id: user.id,
        email: user.email,
        orgId: user.organization_id,
        role: user.role,
        ...(given ? {} : { password }),
      }),
    );
    return 0;
  }
  if (command === 'apikey' && sub === 'create') {
    const name = typeof values.name === 'string' ? values.name : 'default';
    const key = await withDatabase(config, log, (ctx) =>
      identity.createApiKey(ctx, one(values, 'org'), name),
    );
    console.log(JSON.stringify({ id: key.id, orgId: values.org, name, apiKey: key.key }));
    return 0;
  }
  throw new UsageError(`unknown command: ${argv.join(' ')}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof UsageError) console.error(`${error.message}\n\n${HELP}`);
    else if (error instanceof DomainError) {
      const body = problemBody(error, 'en', 'cli');
      console.error(
        [body.detail, ...(body.errors ?? []).map((e) => `  ${e.field}: ${e.message}`)].join('\n'),
      );
    } else if (
      error instanceof Error &&
      error.name === 'TypeError' &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`${error.message}\n\n${HELP}`);
    } else console.error(error);
    process.exit(1);
  },
);
