import { requireWritable } from '../connection/writable.js';
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sql } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { isNeonPooler } from '../connection/target.js';
import { UnsupportedError, UsageError } from '../errors.js';
import { backupPath, type BackupFormat } from './backup-file.js';
import { tableContents, type TableContents } from './contents.js';
import { requireDumpCanRead, runTool, toolInvocation, type PostgresTarget, type ToolCall } from './pg-tools.js';
import { verifyBackup, type BackupVerification } from './verify-backup.js';
import { pgliteOf } from '../connection/raw-clients.js';

export interface BackupOptions {
  /** the backup file; default `todo-db-<db>-YYYYMMDD-HHMMSS.dump` (`.sql` for PGlite) in `cwd` */
  out?: string;
  cwd?: string;
  /** restore the new backup into a scratch database, check it, drop the scratch database */
  verify?: boolean;
  /** called as the dump grows and as the verification proceeds (for a progress line) */
  onProgress?: (progress: BackupProgress) => void;
  now?: Date;
}

export interface BackupProgress {
  phase: 'dump' | 'verify';
  /** bytes written so far */
  bytes: number;
  /** what the tool is working on, e.g. `table public.tasks` */
  detail?: string;
}

export interface BackupResult {
  file: string;
  format: BackupFormat;
  bytes: number;
  durationMs: number;
  /** rows and fingerprints of the contract tables in the dumped snapshot */
  tables: TableContents[];
  /** the program and argv that made the dump (no password in it) */
  tool: ToolCall;
  verification?: BackupVerification;
}

const PROGRESS_EVERY_MS = 250;

/**
 * Dumps the database into one file: `pg_dump --format=custom` on a PostgreSQL
 * server (consistent: one snapshot, shared with the row counts), PGlite's own
 * pg_dump as an SQL script for the embedded database. The file appears only once
 * complete; an existing file is never overwritten.
 *
 * @example
 * const backup = await backupDatabase(database, { verify: true });
 * console.log(backup.file, backup.bytes, backup.verification?.ok);
 */
export async function backupDatabase(database: TodoDatabase<any>, options: BackupOptions = {}): Promise<BackupResult> {
  const started = performance.now();
  const raw = database.raw;
  if (raw.kind === 'pgmem') throw new UnsupportedError('pg-mem keeps its data inside one process, so it cannot be backed up', 'back up a PostgreSQL or PGlite database');
  // The dump itself runs on a standby; its proof needs a scratch database there, so refuse before dumping.
  if (options.verify) await requireWritable(database, 'backup --verify', 'creates a scratch database');
  const format: BackupFormat = raw.kind === 'postgres' ? 'custom' : 'sql';
  const name = database.target.backend === 'postgres' ? database.target.database : 'pglite';
  const file = backupPath(options.out, name, format, options.cwd, options.now);
  const partial = `${file}.partial`;
  const progress = options.onProgress ?? (() => undefined);
  let made: { tables: TableContents[]; tool: ToolCall };
  try {
    made = raw.kind === 'postgres' ? await dumpServer(database, partial, progress) : await dumpPglite(database, pgliteOf(raw), partial, progress);
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
  const bytes = statSync(file).size;
  progress({ phase: 'dump', bytes });
  const result: BackupResult = { file, format, bytes, durationMs: 0, tables: made.tables, tool: made.tool };
  if (options.verify) {
    result.verification = await verifyBackup(database, file, { expected: made.tables, onProgress: (detail) => progress({ phase: 'verify', bytes, detail }) });
  }
  result.durationMs = performance.now() - started;
  return result;
}

/**
 * pg_dump runs in the snapshot of a repeatable-read transaction that we hold open
 * (`--snapshot`), so the row counts we report are exactly the rows in the file.
 */
async function dumpServer(database: TodoDatabase<any>, file: string, progress: (p: BackupProgress) => void): Promise<{ tables: TableContents[]; tool: ToolCall }> {
  const target = database.target as PostgresTarget;
  if (isNeonPooler(target)) {
    throw new UsageError(
      `${target.display} is Neon's transaction pooler, which cannot share a snapshot with pg_dump`,
      'set DATABASE_URL_UNPOOLED to the direct connection (the host without -pooler), or pass it with --url',
    );
  }
  await requireDumpCanRead(database.server.versionNum);
  return database.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const { rows } = await sql<{ snapshot: string }>`select pg_export_snapshot() as snapshot`.execute(trx);
      const tables = await tableContents(trx);
      const invocation = toolInvocation('pg_dump', target, ['--format=custom', `--file=${file}`, `--snapshot=${rows[0]!.snapshot}`, '--verbose']);
      let detail: string | undefined;
      const timer = setInterval(() => progress({ phase: 'dump', bytes: sizeOf(file), ...(detail ? { detail } : {}) }), PROGRESS_EVERY_MS);
      try {
        await runTool(invocation, (line) => {
          const table = /dumping contents of table "?([^"]+)"?/.exec(line)?.[1];
          if (table) detail = `table ${table}`;
        });
      } finally {
        clearInterval(timer);
      }
      return { tables, tool: { program: invocation.program, args: invocation.args } };
    });
}

/** PGlite has no server to connect pg_dump to; pglite-tools runs pg_dump compiled to WebAssembly against it. */
async function dumpPglite(
  database: TodoDatabase<any>,
  client: import('@electric-sql/pglite').PGlite,
  file: string,
  progress: (p: BackupProgress) => void,
): Promise<{ tables: TableContents[]; tool: ToolCall }> {
  // Nothing else writes to an embedded database while we hold it (embedded-lock), so
  // counting first and dumping next sees the same rows.
  const tables = await tableContents(database.db);
  const { pgDump } = await import('@electric-sql/pglite-tools/pg_dump');
  progress({ phase: 'dump', bytes: 0, detail: 'pg_dump (WebAssembly) inside PGlite' });
  // No owners: an embedded database's only role is `postgres`, which means nothing elsewhere.
  const args = ['--no-owner'];
  const dump = await pgDump({ pg: client, args, fileName: basename(file) });
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  return { tables, tool: { program: '@electric-sql/pglite-tools pgDump', args } };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
