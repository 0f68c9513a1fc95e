/**
 * Generates src/db-types.ts from the migrated schema with kysely-codegen.
 *
 *   npm run db:types                          migrate a fresh in-memory PGlite and generate from it
 *   npm run db:types -- --server <url>        the same on a throwaway database on a PostgreSQL server
 *
 * test/integration/db-types.test.ts regenerates the file in memory and fails when the committed one differs.
 *
 * Beyond kysely-codegen's defaults: DATE is a string and INT8 a number (our type parsers), JSON is written
 * as text, a text column limited by `check (col in (...))` gets the union of those values, and the
 * interfaces keep the names the code imports (`OrdersTable`, `Database`). Those are set through its
 * programmatic API (dialect, postprocess, serializer) rather than `overrides` in a config file: its
 * override parser needs TypeScript's JavaScript API, which TypeScript 7 no longer ships.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import {
  ColumnMetadata,
  ColumnTypeNode,
  DatabaseMetadata,
  type GenerateOptions,
  generate,
  IdentifierNode,
  PostgresDialect as PostgresCodegenDialect,
  TableMetadata,
  TypeScriptSerializer,
} from 'kysely-codegen';
import pg from 'pg';
import { connectPostgres, type Db, openPglite } from '../src/platform/db.ts';
import { migrateToLatest } from '../src/platform/migrations.ts';

const root = path.resolve(import.meta.dirname, '..');
export const DB_TYPES_FILE = path.join(root, 'src', 'db-types.ts');

const HEADER = `/**
 * Row types of every table, generated from the migrated schema by \`npm run db:types\`
 * (scripts/db-types.ts, kysely-codegen). Do not edit: change the migration and regenerate.
 */
`;

/** PostgreSQL types as our drivers return them (see the type parsers in src/platform/db.ts). */
class ProvisioCodegenDialect extends PostgresCodegenDialect {
  constructor() {
    // DATE comes back as a 'YYYY-MM-DD' string.
    super({ dateParser: 'string' });
    // INT8 (bigint, count(*)) comes back as a number.
    this.adapter.scalars.int8 = new IdentifierNode('number');
    // JSON is read parsed but written as text (JSON.stringify): pg would send a JS array as a PostgreSQL array.
    this.adapter.definitions.Json = new ColumnTypeNode(
      new IdentifierNode('JsonValue'),
      new IdentifierNode('string'),
      new IdentifierNode('string'),
    );
  }
}

/** Names the interfaces as the code imports them: \`OrdersTable\` for \`orders\`, \`Database\` for the whole schema. */
class ProvisioSerializer extends TypeScriptSerializer {
  override serializeIdentifier(node: IdentifierNode): string {
    if (node.isTableIdentifier) return `${node.name}Table`;
    if (node.name === 'DB') return 'Database';
    return super.serializeIdentifier(node);
  }
}

interface SetCheck {
  table: string;
  column: string;
  definition: string;
}

/**
 * `check (col in ('a', 'b'))` reads back as `CHECK ((col = ANY (ARRAY['a'::text, 'b'::text])))`:
 * returns ['a', 'b'], or null for any other kind of check.
 */
export function valuesOfSetCheck(column: string, definition: string): string[] | null {
  const match = /^CHECK \(\((\w+) = ANY \(ARRAY\[(.*)\]\)\)\)$/.exec(definition);
  if (!match || match[1] !== column || match[2] === undefined) return null;
  const list = match[2];
  const literal = /'((?:[^']|'')*)'::text(?:, |$)/y;
  const values: string[] = [];
  while (literal.lastIndex < list.length) {
    const item = literal.exec(list);
    if (item?.[1] === undefined) return null;
    values.push(item[1].replaceAll("''", "'"));
  }
  return values.length > 0 ? values : null;
}

/**
 * Gives every text column that a CHECK constraint limits to a set of values the union of those
 * values as its type, so the migration stays the one place that lists them.
 */
async function withSetChecks(db: Db, metadata: DatabaseMetadata): Promise<DatabaseMetadata> {
  const { rows } = await sql<SetCheck>`
    select c.relname as "table", a.attname as "column", pg_get_constraintdef(k.oid) as "definition"
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum = k.conkey[1]
    where k.contype = 'c' and cardinality(k.conkey) = 1 and n.nspname = 'public'`.execute(db);
  const sets = new Map<string, string[]>();
  for (const row of rows) {
    const values = valuesOfSetCheck(row.column, row.definition);
    if (values) sets.set(`${row.table}.${row.column}`, values);
  }
  return new DatabaseMetadata({
    enums: metadata.enums,
    tables: metadata.tables.map(
      (table) =>
        new TableMetadata({
          ...table,
          columns: table.columns.map((column) => {
            const values = column.dataType === 'text' ? sets.get(`${table.name}.${column.name}`) : undefined;
            return values ? new ColumnMetadata({ ...column, enumValues: values }) : column;
          }),
        }),
    ),
  });
}

/** Formats as `npm run lint` wants it (Biome, with the repository's biome.json). */
function formatWithBiome(source: string): string {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  return execFileSync(
    process.execPath,
    [biome, 'check', '--write', `--stdin-file-path=${path.relative(root, DB_TYPES_FILE)}`],
    { cwd: root, input: source, encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'] },
  );
}

/** The text of src/db-types.ts for the schema of `db` (already migrated). */
export async function generateDbTypes(db: Db): Promise<string> {
  // kysely-codegen is a CommonJS package, so its types name CommonJS kysely's `Kysely` where ours is the
  // ES module's: one class at run time, two declarations (with a #private each) for the type checker.
  const codegenDb = db as unknown as GenerateOptions['db'];
  const generated = await generate({
    db: codegenDb,
    dialect: new ProvisioCodegenDialect(),
    includePattern: 'public.*',
    excludePattern: 'public.schema_migrations*',
    postprocess: ({ metadata }) => withSetChecks(db, metadata),
    serializer: new ProvisioSerializer({ skipAutogeneratedFileComment: true }),
    outFile: null,
  });
  return formatWithBiome(HEADER + generated);
}

/** Runs `use` on a freshly migrated database: in-memory PGlite, or a throwaway database on `serverUrl`. */
export async function withFreshSchema<T>(
  serverUrl: string | undefined,
  use: (db: Db) => Promise<T>,
): Promise<T> {
  if (!serverUrl) {
    const handle = await openPglite(undefined);
    try {
      await migrateToLatest(handle.db);
      return await use(handle.db);
    } finally {
      await handle.close();
    }
  }
  const name = `provisio_types_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const handle = connectPostgres(url.toString(), 2);
    try {
      await migrateToLatest(handle.db);
      return await use(handle.db);
    } finally {
      await handle.close();
    }
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
  }
}

export function readCommittedDbTypes(): string {
  return readFileSync(DB_TYPES_FILE, 'utf8');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { server: { type: 'string' } } });
  const source = await withFreshSchema(values.server, generateDbTypes);
  const changed = !existsSync(DB_TYPES_FILE) || source !== readCommittedDbTypes();
  if (changed) writeFileSync(DB_TYPES_FILE, source);
  console.log(`${path.relative(process.cwd(), DB_TYPES_FILE)} ${changed ? 'updated' : 'already up to date'}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
