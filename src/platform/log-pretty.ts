/**
 * Log lines for people at a terminal: `12:04:31 INFO  message key=value …`, with lists under the line,
 * one item a row. It reads the JSON line pino wrote (after redaction), so what is hidden from the JSON
 * logs is hidden here too. pino-pretty would do this as a worker-thread transport; this is a few lines,
 * synchronous, and keeps the order of lines written by the same process.
 */

const LEVELS: Record<number, { label: string; colour: string }> = {
  10: { label: 'TRACE', colour: '90' },
  20: { label: 'DEBUG', colour: '90' },
  30: { label: 'INFO', colour: '32' },
  40: { label: 'WARN', colour: '33' },
  50: { label: 'ERROR', colour: '31' },
  60: { label: 'FATAL', colour: '41;97' },
};
/** Said by every line or by the line's own words: not repeated as fields. */
const HIDDEN = new Set(['time', 'level', 'msg', 'service', 'pid', 'hostname']);
const VALUE_MAX = 80;
const INLINE_LIST_MAX = 60;

export interface PrettyOptions {
  /** ANSI colours: on a terminal only. */
  colour: boolean;
}

type Paint = (code: string, text: string) => string;

/** One pino JSON line as one or more readable lines (ending in a newline). Non-JSON passes through. */
export function prettyLine(line: string, options: PrettyOptions): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint: Paint = options.colour ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_c, t) => t;
  const level = LEVELS[Number(entry.level)] ?? { label: String(entry.level ?? '?'), colour: '0' };
  const inline: string[] = [];
  const below: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    if (key === 'err' && isRecord(value)) {
      inline.push(field(paint, key, scalar(String(value.message ?? value.code ?? value.type ?? 'error'))));
      if (typeof value.stack === 'string') below.push(...value.stack.split('\n').slice(1, 8).map(printable));
    } else if (Array.isArray(value) && !fitsInline(value)) {
      below.push(`${key}:`, ...table(value).map((row) => `  ${row}`));
    } else if (isRecord(value) && JSON.stringify(value).length > INLINE_LIST_MAX) {
      below.push(`${key}:`, ...table(Object.entries(value)).map((row) => `  ${row}`));
    } else {
      inline.push(field(paint, key, Array.isArray(value) ? inlineList(value) : scalar(value)));
    }
  }
  const time = typeof entry.time === 'string' ? clock(entry.time) : '';
  const head = [
    paint('2', time),
    paint(level.colour, level.label.padEnd(5)),
    typeof entry.msg === 'string' ? printable(entry.msg) : '',
    ...inline,
  ]
    .filter((part) => part !== '')
    .join(' ');
  return `${[head, ...below.map((row) => `    ${row}`)].join('\n')}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Lists of words (ids, names) stay on the line, shortened; lists of sentences or records go below it. */
function fitsInline(values: unknown[]): boolean {
  return values.every((v) => typeof v !== 'object' || v === null) && !values.some((v) => / /.test(String(v)));
}

function inlineList(values: unknown[]): string {
  const shown: string[] = [];
  for (const value of values) {
    if ([...shown, cell(value)].join(',').length > INLINE_LIST_MAX && shown.length > 0) break;
    shown.push(cell(value));
  }
  const rest = values.length - shown.length;
  return `${shown.join(',')}${rest > 0 ? `,…(+${rest})` : ''}`;
}

function field(paint: Paint, key: string, value: string): string {
  return `${paint('2', `${key}=`)}${value}`;
}

/** A value as key=value shows it: quoted when it has spaces or quotes, cut short when long. */
function scalar(value: unknown): string {
  const text = cell(value);
  const cut = text.length > VALUE_MAX ? `${text.slice(0, VALUE_MAX - 1)}…` : text;
  return /^[^\s"=]+$/.test(cut) ? cut : JSON.stringify(cut);
}

function cell(value: unknown): string {
  if (typeof value === 'string') return printable(value);
  if (value === null || typeof value !== 'object') return printable(String(value));
  return printable(JSON.stringify(value));
}

/**
 * Control characters written as escapes: a request path is logged decoded, and a raw ESC or newline
 * from a stranger's URL must not clear the operator's terminal or forge a log line.
 */
function printable(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Rows of a list: objects become aligned columns of their values. */
function table(values: unknown[]): string[] {
  const rows = values.map((v) =>
    isRecord(v) ? Object.values(v).map(cell) : Array.isArray(v) ? v.map(cell) : [cell(v)],
  );
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows.map((row) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** HH:MM:SS in this machine's time zone: a terminal is read where it runs. */
function clock(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toTimeString().slice(0, 8);
}
