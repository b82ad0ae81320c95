import { requireWritable } from '../connection/writable.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { isNeonPooler } from '../connection/target.js';
import { UnsupportedError, UsageError } from '../errors.js';
import { ensureContractRoles } from './contract-roles.js';
import { detectFormat, FORMATS, type BackupFormat } from './backup-file.js';
import { schemaTables, tableContents, type TableContents } from './contents.js';
import { runTool, toolInvocation, type PostgresTarget, type ToolCall } from './pg-tools.js';
import { checkSchema, type SchemaCheck } from './schema-check.js';
import { pgliteOf } from '../connection/raw-clients.js';

export interface RestoreOptions {
  /** replace what the target holds (the CLI asks for --yes too) */
  clean?: boolean;
  /** each line pg_restore prints, for --verbose */
  onLine?: (line: string) => void;
}

export interface RestoreResult {
  file: string;
  format: BackupFormat;
  target: string;
  /** the tables that were there before (only ever non-empty with clean) */
  replaced: string[];
  durationMs: number;
  /** rows and fingerprints of the contract tables after the restore */
  tables: TableContents[];
  schema: SchemaCheck;
  tool: ToolCall;
}

/** The backend a backup format restores into. */
const RESTORES_INTO: Record<BackupFormat, 'postgres' | 'pglite'> = { custom: 'postgres', sql: 'pglite' };

/**
 * Restores a backup made by `backupDatabase` into the database `database` points at,
 * all or nothing (one transaction), then checks the schema. The target must be
 * empty (no table in the current schema, bookkeeping included) unless `clean`.
 *
 * @example
 * const database = await openDatabase({ url: 'postgres://postgres@localhost/restored' });
 * const restored = await restoreDatabase(database, 'todo-db-app-20261124-010000.dump');
 * if (!restored.schema.ok) console.log(restored.schema.findings);
 */
export async function restoreDatabase(database: TodoDatabase<any>, file: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const started = performance.now();
  const path = resolve(file);
  const format = detectFormat(path);
  const into = RESTORES_INTO[format];
  if (database.raw.kind !== into) {
    throw new UnsupportedError(
      `${path} is a ${FORMATS[format].describe} backup, which restores into ${into === 'postgres' ? 'a PostgreSQL server' : 'PGlite'}, not ${database.kind}`,
      `restore it with --url ${into === 'postgres' ? 'postgres://…' : 'pglite:DIR'}`,
    );
  }
  await requireWritable(database, 'restore');
  if (isNeonPooler(database.target)) {
    throw new UsageError(`${database.target.display} is Neon's transaction pooler; a restore needs the direct connection`, 'use the host without -pooler (DATABASE_URL_UNPOOLED)');
  }
  const existing = await schemaTables(database.db);
  if (existing.length > 0 && !options.clean) {
    const shown = existing.slice(0, 4).join(', ') + (existing.length > 4 ? ', …' : '');
    throw new UsageError(
      `${database.target.display} is not empty: ${existing.length} table${existing.length === 1 ? '' : 's'} in the current schema (${shown}); nothing was changed`,
      'restore into an empty database, or pass --clean --yes to replace its contents',
    );
  }
  if (database.capabilities.rls) await ensureContractRoles(database.db);
  const tool = database.raw.kind === 'postgres' ? await restoreServer(database, path, options) : await restorePglite(database, path, options.clean === true);
  if (database.capabilities.statistics) await sql`analyze`.execute(database.db);
  return {
    file: path,
    format,
    target: database.target.display,
    replaced: existing,
    durationMs: performance.now() - started,
    tables: await tableContents(database.db),
    schema: await checkSchema(database),
    tool,
  };
}

/** pg_restore in one transaction; with clean it drops what the backup contains first. */
async function restoreServer(database: TodoDatabase<any>, path: string, options: RestoreOptions): Promise<ToolCall> {
  // --no-owner: objects belong to whoever restores (on Neon the owner role differs per project).
  const args = ['--no-owner', '--exit-on-error', '--single-transaction', '--verbose', ...(options.clean ? ['--clean', '--if-exists'] : []), path];
  const invocation = toolInvocation('pg_restore', database.target as PostgresTarget, args);
  await runTool(invocation, options.onLine);
  return { program: invocation.program, args: invocation.args };
}

// Drops every table and function of the current schema: what a clean restore replaces.
const CLEAN_SCHEMA = `
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p', 'f') LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.relname);
  END LOOP;
  FOR r IN SELECT relname, relkind FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('v', 'm') LOOP
    EXECUTE format(CASE r.relkind WHEN 'v' THEN 'DROP VIEW IF EXISTS %I CASCADE' ELSE 'DROP MATERIALIZED VIEW IF EXISTS %I CASCADE' END, r.relname);
  END LOOP;
  FOR r IN SELECT oid::regprocedure AS fn FROM pg_proc WHERE pronamespace = current_schema()::regnamespace LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.fn);
  END LOOP;
END $$;`;

/** PGlite runs the SQL script itself, in one transaction together with the clean-up. */
async function restorePglite(database: TodoDatabase<any>, path: string, clean: boolean): Promise<ToolCall> {
  if (database.raw.kind !== 'pglite') throw new Error('unreachable: not a PGlite database');
  const client = pgliteOf(database.raw);
  // pg_dump 17.6+ brackets scripts with psql's \restrict / \unrestrict, which only psql understands.
  const script = readFileSync(path, 'utf8').replace(/^\\(un)?restrict\s+\S+\s*$/gm, '');
  // The script empties search_path for the session; put it back afterwards.
  const searchPath = (await client.query<{ search_path: string }>('show search_path')).rows[0]?.search_path ?? '"$user", public';
  try {
    await client.transaction(async (tx) => {
      if (clean) await tx.exec(CLEAN_SCHEMA);
      await tx.exec(script);
    });
  } finally {
    await client.query('select set_config($1, $2, false)', ['search_path', searchPath]);
  }
  return { program: 'PGlite exec', args: [path] };
}
