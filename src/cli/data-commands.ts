import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { type DemoSummary, seedDemo } from '../demo/seed.ts';
import { bookOrderAs } from '../modules/orders/cli-booking.ts';
import { defaultModules } from '../runtime.ts';
import { printJson, recordJsonOption } from './output.ts';
import { CliInputError, parseJson, type Session, settings, withRuntime } from './session.ts';

/** `seed`, `migrate`, `job send` and `order create`: commands that load or queue data. */
export function registerDataCommands(program: Command, session: Session): void {
  const jobs = defaultModules().jobs;
  const job = program.command('job').description('Background jobs.');
  job
    .command('send')
    .description('Queue a job now (a worker runs it); prints its id as JSON.')
    .argument('<name>', `which job: ${jobs.map((j) => j.name).join(', ')}`)
    .option('--data <json>', 'its payload, as JSON', '{}')
    .addOption(recordJsonOption())
    .action(async (name: string, opts: { data: string }) => {
      const definition = jobs.find((j) => j.name === name);
      if (!definition) {
        throw new CliInputError(`job send: there is no job "${name}" (provisio job send --help lists them)`);
      }
      const data = parseJson(opts.data);
      if (data === undefined) throw new CliInputError('job send: --data is not valid JSON');
      const payload = definition.payload.safeParse(data);
      if (!payload.success) {
        throw new CliInputError(
          `job send: --data is not a payload of ${name}: ${z.prettifyError(payload.error).replaceAll('\n', ' ')}`,
        );
      }
      const id = await withRuntime(session, (ctx, rt) => rt.jobs.enqueue(ctx, definition, payload.data));
      printJson({ id, name });
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit.')
    .addOption(recordJsonOption())
    .action(async () => {
      await withRuntime(session, async () => undefined);
      printJson({ status: 'migrated' });
    });

  program
    .command('seed')
    .description(
      'Load the demo organizations, users and orders; prints logins and API keys as JSON. On a database that has the demo it changes nothing (--reset: new password and keys).',
    )
    .requiredOption('--demo', 'load the demo data set (the only data set there is)')
    .option(
      '--reset',
      'on an existing demo: set a new password for every demo user and replace the demo API keys',
    )
    .option('--allow-production', 'load it even when NODE_ENV=production (demo accounts and API keys)')
    .addOption(recordJsonOption())
    .action(async (opts: { reset?: boolean; allowProduction?: boolean }) => {
      const { config } = settings(session, 'warn');
      if (config.production && !opts.allowProduction) {
        throw new CliInputError(
          'seed --demo: refused because NODE_ENV=production: the demo creates an operator, partner users sharing one password and API keys. Add --allow-production to load it anyway.',
        );
      }
      const password = config.demoPassword;
      const demo = await withRuntime(session, (ctx) =>
        seedDemo(ctx, { ...(password ? { password } : {}), ...(opts.reset ? { reset: true } : {}) }),
      );
      if (demo) sayWhatSeedDid(demo);
      printJson(demo);
    });

  const order = program.command('order').description('Orders.');
  order
    .command('create')
    .description(
      "Book an order as a partner's or distributor's user, with the API's createOrder body; prints it as JSON. Lines due today get their provisioning email at once.",
    )
    .requiredOption('--as <email>', 'the user who places it (of a partner or distributor)')
    .option('--data <json>', 'the order, as JSON')
    .option('--file <path>', 'the order, from a JSON file ("-": standard input)')
    .addOption(recordJsonOption())
    .action(async (opts: { as: string; data?: string; file?: string }) => {
      if ((opts.data === undefined) === (opts.file === undefined))
        throw new CliInputError('order create: give the order with either --data or --file');
      const text = opts.data ?? readOrderFile(opts.file ?? '');
      const body = parseJson(text);
      if (body === undefined) throw new CliInputError('order create: the order is not valid JSON');
      const booked = await withRuntime(session, (ctx) => bookOrderAs(ctx, opts.as, body));
      printJson(booked.order);
    });
}

function readOrderFile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
    throw new CliInputError(
      `order create: --file ${file}: ${code === 'ENOENT' ? 'no such file' : 'cannot be read'}`,
    );
  }
}

/** One line for the person at the terminal (stderr: stdout stays the JSON scripts read). */
function sayWhatSeedDid(demo: DemoSummary): void {
  const said = {
    created: 'Demo data loaded: the logins and API keys below are shown this once.',
    unchanged:
      'The demo is already loaded: nothing changed (its password and keys were shown when it was loaded; --reset sets new ones).',
    reset: 'Demo reset: every demo user has the new password below, and the old demo API keys are revoked.',
  } as const;
  process.stderr.write(`${said[demo.status]}\n`);
}
