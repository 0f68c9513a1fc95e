import { pino } from 'pino';
import { serializeError } from './db-errors.ts';
import { prettyLine } from './log-pretty.ts';

export type Logger = pino.Logger;

/** `json`: one JSON object a line, for log collectors. `pretty`: readable lines, for a terminal. */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set; otherwise readable on a terminal and JSON everywhere else (pipes, files, containers). */
export function resolveLogFormat(
  setting: LogFormat | undefined,
  stream: { isTTY?: boolean } = process.stdout,
): LogFormat {
  return setting ?? (stream.isTTY ? 'pretty' : 'json');
}

/**
 * Structured logs. Credentials never reach them: the known carriers are redacted by path, and a
 * failed query is logged by its SQLSTATE and statement name, never its parameters. The pretty format
 * rewrites each line pino has already redacted, written synchronously to standard output.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  format: LogFormat = 'json',
): Logger {
  return pino(
    {
      level,
      base: { service: 'provisio' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.password',
          '*.apiKey',
          '*.token',
          'password',
          'apiKey',
          'token',
        ],
        censor: '[redacted]',
      },
    },
    format === 'pretty' ? prettyDestination(destination) : destination,
  );
}

function prettyDestination(target?: pino.DestinationStream): pino.DestinationStream {
  const out = target ?? pino.destination({ fd: 1, sync: true });
  // Colour only when the lines go to a terminal, never into a file or a pipe.
  const colour = target === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR;
  return { write: (line: string) => out.write(prettyLine(line, { colour })) };
}
