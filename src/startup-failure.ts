import { ConfigError } from './config.ts';
import { DataDirLockedError } from './platform/data-dir-lock.ts';
import { isDatabaseUnavailable } from './platform/db-errors.ts';
import { maskSecrets } from './platform/secrets.ts';

/** A start-up failure that already knows which setting caused it and how to say so in one line. */
export class StartupError extends Error {
  constructor(
    readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${message}`, options);
    this.name = 'StartupError';
  }
}

function errnoOf(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The one line an operator reads when Provisio cannot start or run a command: the cause and the
 * setting to look at, never a password (in URL or key=value form) and never a stack trace.
 */
export function describeFailure(error: unknown, databaseUrl: string | undefined): string {
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof DataDirLockedError) {
    return maskSecrets(error.message);
  }
  if (isDatabaseUnavailable(error)) {
    const where = databaseUrl ? `DATABASE_URL ${maskSecrets(databaseUrl)}` : 'the embedded database';
    const code = errnoOf(error);
    return `Cannot reach the database (${where})${code ? `: ${code}` : ''}. Check that the server runs and DATABASE_URL is right.`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Provisio could not start: ${maskSecrets(message.split('\n')[0] ?? '')}`;
}
