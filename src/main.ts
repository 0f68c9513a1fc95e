import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerBackupCommands } from './cli/backup-commands.ts';
import { registerDataCommands } from './cli/data-commands.ts';
import { registerDirectoryCommands } from './cli/directory-commands.ts';
import { start, worker } from './cli/serve.ts';
import { CliInputError, type Session } from './cli/session.ts';
import { DomainError } from './platform/errors.ts';
import { problemBody } from './platform/http.ts';
import { describeFailure } from './startup-failure.ts';

/**
 * The `provisio` command. Its contract (docs/adr/0037): lists print a table, or one JSON array with
 * --json; records a command creates or changes print one JSON line; refused input is one line on
 * stderr and exit code 1, never a usage dump, a database error or a stack trace (LOG_LEVEL=debug adds
 * the stack of an unexpected failure).
 */

/** package.json sits beside src/ and beside dist/ alike (one directory up from this file). */
function version(): string {
  try {
    const file = path.resolve(import.meta.dirname, '..', 'package.json');
    const { version: v } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

function buildProgram(session: Session): Command {
  const program = new Command('provisio')
    .description('Channel orders from booking to a running, billed subscription.')
    .version(version(), '-V, --version', 'print the version and exit')
    .addHelpText(
      'after',
      "\nLists print a table (--json: a JSON array); other commands print their result as JSON.\nSettings come from the environment; see the README's configuration table.",
    )
    // Commander's own refusals (an unknown option, a missing one) as one line too, with where to look.
    .configureOutput({
      outputError: (message, write) =>
        write(`${message.trim().replaceAll('\n', ' ')} (add --help for usage)\n`),
    })
    .exitOverride();

  program
    .command('start')
    .description('Serve the web app and API (migrations are applied first).')
    .action(() => start(session));

  program
    .command('worker')
    .description('Run the background jobs only (no web): scale out with several, on PostgreSQL.')
    .action(() => worker(session));

  registerDataCommands(program, session);
  registerDirectoryCommands(program, session);
  registerBackupCommands(program, session);
  return program;
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
    if (error instanceof CliInputError) {
      console.error(error.message);
      return 1;
    }
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
