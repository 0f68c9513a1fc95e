import { Option } from 'commander';

/**
 * What commands print on standard output. Lists print an aligned table with a header row, unless
 * --json asks for one JSON array; records a command creates or changes (ids, one-time secrets) print
 * one JSON line, which scripts read. Errors never go here: they are one line on stderr (main.ts).
 */

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

export interface Column<T> {
  header: string;
  value: (row: T) => string;
}

/** Columns padded to their widest cell; the last one is not padded. An empty list says so. */
export function renderTable<T>(rows: T[], columns: Column<T>[], empty: string): string {
  if (rows.length === 0) return `${empty}\n`;
  const cells = [columns.map((c) => c.header), ...rows.map((row) => columns.map((c) => c.value(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => [...(line[i] ?? '')].length)));
  const bold = process.stdout.isTTY === true && !process.env.NO_COLOR;
  return cells
    .map((line, lineIndex) => {
      const text = line
        .map((cell, i) =>
          i === line.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length),
        )
        .join('  ')
        .trimEnd();
      return lineIndex === 0 && bold ? `\u001b[1m${text}\u001b[0m` : text;
    })
    .join('\n')
    .concat('\n');
}

/** A list command's output: a table for people, or with --json the same rows as one JSON array. */
export function printList<T, J>(
  rows: T[],
  opts: { json?: boolean },
  columns: Column<T>[],
  toJson: (row: T) => J,
  empty: string,
): void {
  if (opts.json) printJson(rows.map(toJson));
  else process.stdout.write(renderTable(rows, columns, empty));
}

/** Commands that print a record print JSON anyway: --json is accepted so scripts may pass it everywhere. */
export const recordJsonOption = (): Option =>
  new Option('--json', 'print the result as JSON (what this command prints in any case)');
