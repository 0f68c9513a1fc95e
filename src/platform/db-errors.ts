/**
 * What a database failure may say in a log line: its SQLSTATE and which statement failed, never the
 * statement's parameters or the server's message (both can carry emails, keys and other input).
 */

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** "insert into orders", "select from order_lines", "with insert into idempotency_keys": a name, no values. */
export function statementName(sqlText: string): string {
  // A leading comment (the mark of a prepared statement) is not the statement.
  const text = sqlText
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\/\*.*?\*\/ ?/, '')
    .toLowerCase();
  const verb = /\b(select|insert|update|delete|begin|commit|rollback|create|alter|drop|lock)\b/.exec(
    text,
  )?.[1];
  const target = /\b(?:into|update|from|table)\s+("?[a-z_][a-z0-9_.]*"?)/
    .exec(text)?.[1]
    ?.replaceAll('"', '');
  const prefix = text.startsWith('with ') ? 'with ' : '';
  return `${prefix}${verb ?? 'statement'}${target ? ` ${target}` : ''}`;
}

interface DatabaseFailure {
  code: string;
  statement?: string;
  constraint?: string;
}

function isDatabaseFailure(error: unknown): error is Error & DatabaseFailure {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' && SQLSTATE.test(code);
}

/** Called by the query layer when a statement fails: the error learns which statement it was. */
export function nameFailedStatement(error: unknown, sqlText: string): void {
  if (error instanceof Error && !('statement' in error)) {
    Object.defineProperty(error, 'statement', { value: statementName(sqlText), enumerable: true });
  }
}

/** Network-level reasons a database is out of reach (as opposed to a refused statement). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EPIPE',
]);
/** SQLSTATE classes and codes that mean "the server is not there for you right now". */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-4]|53300)$/;

/** True when `error` says the database cannot be reached, as opposed to a statement it refused. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
      return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
    // pg's own words when a connection drops or the pool cannot get one in time.
    if (
      /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(
        e.message,
      )
    )
      return true;
    e = e.cause;
  }
  return false;
}

/** pino serializer for `err`: database failures lose their message, detail, query and parameters. */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (isDatabaseFailure(error)) {
    return {
      type: error.name,
      code: error.code,
      ...(error.statement ? { statement: error.statement } : {}),
      ...(error.constraint ? { constraint: error.constraint } : {}),
    };
  }
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
    ...(error.cause ? { cause: serializeError(error.cause) } : {}),
  };
}
