import { type Config, loadConfig } from '../config.ts';
import type { Ctx } from '../platform/context.ts';
import { createLogger, type Logger, resolveLogFormat } from '../platform/logger.ts';
import type { Runtime } from '../platform/runtime.ts';
import { createRuntime } from '../runtime.ts';

/** Settings are read once, when a command that needs them runs (help needs none). */
export interface Session {
  config?: Config;
  log?: Logger;
}

export function settings(session: Session, level?: Config['logLevel']): { config: Config; log: Logger } {
  session.config ??= loadConfig();
  session.log ??= createLogger(
    level ?? session.config.logLevel,
    undefined,
    resolveLogFormat(session.config.logFormat),
  );
  return { config: session.config, log: session.log };
}

/** Runs one command's work on a ready runtime, then closes it (and with it the data directory). */
export async function withRuntime<T>(
  session: Session,
  work: (ctx: Ctx, rt: Runtime) => Promise<T>,
): Promise<T> {
  const { config, log } = settings(session, 'warn');
  const rt = await createRuntime({ config, log });
  try {
    return await work(rt.systemContext('cli'), rt);
  } finally {
    await rt.close();
  }
}

/**
 * Input the command refuses before it reaches the database: main prints its message as the one line
 * on stderr and exits 1, with no usage text and no stack trace.
 */
export class CliInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliInputError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An option or argument parser for ids: a value that is no UUID is refused here, by name, rather
 * than by the database ("invalid input syntax for type uuid").
 */
export function idOf(what: string, where: string): (value: string) => string {
  return (value) => {
    if (!UUID.test(value.trim())) {
      throw new CliInputError(
        `${where}: "${value}" is not ${what} id (ids look like 00000000-0000-4000-8000-000000000001)`,
      );
    }
    return value.trim().toLowerCase();
  };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
