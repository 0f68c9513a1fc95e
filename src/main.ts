import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { type Config, loadConfig } from './config.ts';
import { seedDemo } from './demo/seed.ts';
import * as apiKeys from './modules/identity/api-keys.ts';
import * as identity from './modules/identity/service.ts';
import { bookOrderAs } from './modules/orders/cli-booking.ts';
import type { Ctx, Role } from './platform/context.ts';
import { DomainError } from './platform/errors.ts';
import { problemBody } from './platform/http.ts';
import { LOCALES, type Locale } from './platform/i18n.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import type { Runtime } from './platform/runtime.ts';
import { randomToken } from './platform/secrets.ts';
import { createRuntime, defaultModules } from './runtime.ts';
import { type RunningWeb, serveWeb } from './server.ts';
import { describeFailure } from './startup-failure.ts';

const ROLES: Role[] = [
  'operator',
  'partner_admin',
  'partner_user',
  'partner_viewer',
  'customer_admin',
  'customer_user',
];
/** Beyond the time running jobs may take to finish (WORKER_DRAIN_SECONDS), what closing may take. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Settings are read once, when a command that needs them runs (help needs none). */
interface Session {
  config?: Config;
  log?: Logger;
}

function settings(session: Session, level?: Config['logLevel']): { config: Config; log: Logger } {
  session.config ??= loadConfig();
  session.log ??= createLogger(level ?? session.config.logLevel);
  return { config: session.config, log: session.log };
}

/** Runs one command's work on a ready runtime, then closes it (and with it the data directory). */
async function withRuntime<T>(session: Session, work: (ctx: Ctx, rt: Runtime) => Promise<T>): Promise<T> {
  const { config, log } = settings(session, 'warn');
  const rt = await createRuntime({ config, log });
  try {
    return await work(rt.systemContext('cli'), rt);
  } finally {
    await rt.close();
  }
}

const print = (value: unknown) => console.log(JSON.stringify(value));

/**
 * On SIGTERM or SIGINT: stop taking requests and jobs, let running requests and jobs finish (jobs for
 * up to WORKER_DRAIN_SECONDS), close the database, exit. A shutdown that hangs is cut short.
 */
function stopOnSignal(rt: Runtime, log: Logger, web?: RunningWeb): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const drainSeconds = rt.config.workerDrainSeconds;
    setTimeout(
      () => {
        log.warn('shutdown took too long: exiting');
        process.exit(1);
      },
      drainSeconds * 1000 + SHUTDOWN_GRACE_MS,
    ).unref();
    void Promise.all([web?.close(), rt.jobs.stop({ drainSeconds })])
      .then(() => rt.close())
      .then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function start(session: Session): Promise<void> {
  const { config, log } = settings(session);
  const rt = await createRuntime({ config, log });
  try {
    if (config.production) await explainEmptyDatabase(rt, log);
    else await loadDemoIfEmpty(rt, config, log);
    const web = await serveWeb(rt);
    stopOnSignal(rt, log, web);
    warnAboutDevelopmentKeys(config, log);
    await rt.jobs.startWorkers();
    log.info({ port: web.port, engine: rt.engine, url: config.publicUrl }, 'Provisio is listening');
  } catch (error) {
    await rt.close();
    throw error;
  }
}

/** Outside production, an empty database gets the demo (DEMO_SEED), and its logins are logged. */
async function loadDemoIfEmpty(rt: Runtime, config: Config, log: Logger): Promise<void> {
  const shouldSeed = config.demoSeed === 'always' || (config.demoSeed === 'auto' && rt.engine === 'pglite');
  if (!shouldSeed) return;
  const demo = await seedDemo(rt.systemContext('boot'), {
    onlyIfEmpty: true,
    ...(config.demoPassword ? { password: config.demoPassword } : {}),
  });
  if (!demo) return;
  const logins = demo.users
    .filter((u) => u.role.startsWith('partner') || u.role === 'operator')
    .map(({ email, role }) => ({ email, role }));
  // The demo password is shown on purpose: a development database with demo data only. Never in
  // production, where this function is not called.
  log.info(
    { logins, demoPassword: demo.users[0]?.password, url: config.publicUrl },
    'demo data loaded: sign in with any of these logins',
  );
}

/** In production an empty database stays empty: one line says how to create the first accounts. */
async function explainEmptyDatabase(rt: Runtime, log: Logger): Promise<void> {
  if (await identity.hasOrganizations(rt.systemContext('boot'))) return;
  log.warn(
    {
      firstOperator: [
        'provisio org create --kind vendor --name "<your company>"',
        'provisio user create --org <id printed above> --role operator --email <address>',
      ],
      firstPartner: [
        'provisio org create --kind partner --name "<partner>" --domain <their email domain>',
        'provisio user create --org <id printed above> --role partner_admin --email <address>',
        'provisio apikey create --org <id printed above>',
      ],
    },
    'empty database: no demo in production; create the first operator and partner with the provisio command (see firstOperator, firstPartner)',
  );
}

/**
 * Said by the processes that serve and work, not by every command: a command's stdout is its JSON
 * answer, and a warning there would break whoever reads it.
 */
function warnAboutDevelopmentKeys(config: Config, log: Logger): void {
  if (config.webhookSecretsKeyIsDevelopmentFallback)
    log.warn(
      'WEBHOOK_SECRETS_KEY is not set: webhook signing secrets are sealed with a development key anyone can derive; set it before real use',
    );
}

/** The worker role: jobs only, no HTTP. On the embedded database `start` runs them too (one process). */
async function worker(session: Session): Promise<void> {
  const { config, log } = settings(session);
  const rt = await createRuntime({ config, log });
  try {
    stopOnSignal(rt, log);
    warnAboutDevelopmentKeys(config, log);
    await rt.jobs.startWorkers();
    log.info({ engine: rt.engine, jobs: rt.jobs.jobs.map((j) => j.name) }, 'Provisio worker is running');
  } catch (error) {
    await rt.close();
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function buildProgram(session: Session): Command {
  const program = new Command('provisio')
    .description('Channel orders from booking to a running, billed subscription.')
    .addHelpText('after', "\nSettings come from the environment; see the README's configuration table.")
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('Serve the web app and API (migrations are applied first).')
    .action(() => start(session));

  program
    .command('worker')
    .description('Run the background jobs only (no web): scale out with several, on PostgreSQL.')
    .action(() => worker(session));

  const job = program.command('job').description('Background jobs.');
  const jobs = defaultModules().jobs;
  const send: Command = job
    .command('send')
    .description('Queue a job now (a worker runs it); prints its id as JSON.')
    .addArgument(new Argument('<name>', 'which job').choices(jobs.map((j) => j.name)))
    .option('--data <json>', 'its payload, as JSON', '{}')
    .action(async (name: string, opts: { data: string }) => {
      const definition = jobs.find((j) => j.name === name);
      if (!definition) return send.error(`unknown job "${name}"`);
      const data = parseJson(opts.data);
      if (data === undefined) return send.error('--data is not valid JSON');
      const payload = definition.payload.safeParse(data);
      if (!payload.success) {
        return send.error(`--data is not a payload of ${name}:\n${z.prettifyError(payload.error)}`);
      }
      const id = await withRuntime(session, (ctx, rt) => rt.jobs.enqueue(ctx, definition, payload.data));
      print({ id, name });
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit.')
    .action(async () => {
      await withRuntime(session, async () => undefined);
      print({ status: 'migrated' });
    });

  const seed: Command = program
    .command('seed')
    .description('Load the demo organizations, users and orders; prints logins and API keys as JSON.')
    .requiredOption('--demo', 'load the demo data set (the only data set there is)')
    .option('--allow-production', 'load it even when NODE_ENV=production (demo accounts and API keys)')
    .action(async (opts: { allowProduction?: boolean }) => {
      const { config } = settings(session, 'warn');
      if (config.production && !opts.allowProduction) {
        return seed.error(
          'seed --demo: refused because NODE_ENV=production: the demo creates an operator, partner users sharing one password and API keys. Add --allow-production to load it anyway.',
        );
      }
      const password = config.demoPassword;
      print(await withRuntime(session, (ctx) => seedDemo(ctx, password ? { password } : {})));
    });

  const order = program.command('order').description('Orders.');
  const createOrderCommand: Command = order
    .command('create')
    .description(
      "Book an order as a partner's or distributor's user, with the API's createOrder body; prints it as JSON. Lines due today get their provisioning email at once.",
    )
    .requiredOption('--as <email>', 'the user who places it (of a partner or distributor)')
    .option('--data <json>', 'the order, as JSON')
    .option('--file <path>', 'the order, from a JSON file ("-": standard input)')
    .action(async (opts: { as: string; data?: string; file?: string }) => {
      if ((opts.data === undefined) === (opts.file === undefined))
        return createOrderCommand.error('order create: give the order with either --data or --file');
      const text = opts.data ?? readFileSync(opts.file === '-' ? 0 : (opts.file ?? ''), 'utf8');
      const body = parseJson(text);
      if (body === undefined) return createOrderCommand.error('order create: the order is not valid JSON');
      const booked = await withRuntime(session, (ctx) => bookOrderAs(ctx, opts.as, body));
      print(booked.order);
    });

  const org = program.command('org').description('Organizations.');
  org
    .command('create')
    .description('Create an organization; prints it as JSON.')
    .addOption(
      new Option('--kind <kind>', 'what it is')
        .choices(['vendor', 'partner', 'distributor', 'customer'])
        .makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'display name')
    .option('--country <XX>', 'ISO 3166-1 alpha-2 country code')
    .option(
      '--domain <domain[:claimed]>',
      'an email domain it owns (verified unless ":claimed"); repeatable',
      collect,
      [],
    )
    .action(
      async (opts: {
        kind: 'vendor' | 'partner' | 'distributor' | 'customer';
        name: string;
        country?: string;
        domain: string[];
      }) => {
        const created = await withRuntime(session, (ctx) =>
          identity.createOrganization(ctx, {
            kind: opts.kind,
            name: opts.name,
            country: opts.country ? opts.country.toUpperCase() : null,
            domains: opts.domain.map((d) => {
              const [domain = '', status] = d.split(':');
              return { domain, status: status === 'claimed' ? 'claimed' : 'verified' };
            }),
          }),
        );
        print({ id: created.id, name: created.name, kind: created.kind });
      },
    );

  const user = program.command('user').description('Users.');
  user
    .command('create')
    .description('Add a user. Without --password a random one is generated and printed once.')
    .requiredOption('--org <id>', 'organization id')
    .requiredOption('--email <email>', 'sign-in address; unique across all organizations')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
    .option('--password <password>', 'at least 10 characters')
    .addOption(new Option('--locale <locale>', 'language of the pages and emails').choices([...LOCALES]))
    .action(async (opts: { org: string; email: string; role: Role; password?: string; locale?: Locale }) => {
      const password = opts.password ?? randomToken(16).slice(0, 16);
      const created = await withRuntime(session, (ctx) =>
        identity.createUser(ctx, {
          organizationId: opts.org,
          email: opts.email,
          role: opts.role,
          password,
          ...(opts.locale ? { locale: opts.locale } : {}),
        }),
      );
      // A password typed on the command line is not echoed back; a generated one is shown once.
      print({
        id: created.id,
        email: created.email,
        orgId: created.organization_id,
        role: created.role,
        ...(opts.password ? {} : { password }),
      });
    });

  const apikey = program.command('apikey').description('API keys of partners and distributors.');
  apikey
    .command('create')
    .description('Issue an API key; it is shown once, only its hash is stored.')
    .requiredOption('--org <id>', 'organization id (a partner or distributor)')
    .option('--name <name>', 'what the key is for', 'default')
    .action(async (opts: { org: string; name: string }) => {
      const key = await withRuntime(session, (ctx) => apiKeys.createApiKey(ctx, opts.org, opts.name));
      print({ id: key.id, orgId: opts.org, name: key.name, apiKey: key.key });
    });
  apikey
    .command('list')
    .description("List an organization's API keys as a JSON array (never their secrets), newest first.")
    .requiredOption('--org <id>', 'organization id')
    .action(async (opts: { org: string }) => {
      const keys = await withRuntime(session, (ctx) => apiKeys.listApiKeys(ctx, opts.org));
      print(keys.map(apiKeyJson));
    });
  apikey
    .command('revoke')
    .description('Revoke an API key: every process refuses it from its next request. Prints the key as JSON.')
    .argument('<id>', 'API key id (from apikey list)')
    .action(async (id: string) => {
      print(apiKeyJson(await withRuntime(session, (ctx) => apiKeys.revokeApiKey(ctx, id))));
    });

  return program;
}

function apiKeyJson(key: apiKeys.ApiKeyView) {
  return {
    id: key.id,
    orgId: key.organizationId,
    name: key.name,
    prefix: key.prefix,
    status: key.revokedAt ? 'revoked' : 'active',
    createdBy: key.createdBy?.email ?? null,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the command line; resolves to the exit code, or -1 when a server keeps running. */
export async function main(argv: string[]): Promise<number> {
  const session: Session = {};
  try {
    // Inside the try: modules contributing one job twice fail the program's build with their names.
    const program = buildProgram(session);
    await program.parseAsync(argv, { from: 'user' });
    return argv[0] === 'start' || argv[0] === 'worker' ? -1 : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof DomainError) {
      const body = problemBody(error, 'en', 'cli');
      console.error(
        [body.detail, ...(body.errors ?? []).map((e) => `  ${e.field}: ${e.message}`)].join('\n'),
      );
      return 1;
    }
    console.error(describeFailure(error, session.config?.databaseUrl ?? process.env.DATABASE_URL));
    const level = session.config?.logLevel ?? process.env.LOG_LEVEL;
    if (level === 'debug' || level === 'trace') console.error(error);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
});
