import { pino } from 'pino';
import { serializeError } from './db-errors.ts';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Credentials never reach them: the known carriers are redacted by path, and a
 * failed query is logged by its SQLSTATE and statement name, never its parameters.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
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
    destination,
  );
}
