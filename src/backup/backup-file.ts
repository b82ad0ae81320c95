import { closeSync, existsSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * A backup is one file. PostgreSQL servers: pg_dump's custom format (compressed,
 * restored by pg_restore). PGlite: a plain SQL script from PGlite's own pg_dump
 * (WebAssembly), which PGlite can run directly.
 */
export type BackupFormat = 'custom' | 'sql';

export const FORMATS: Record<BackupFormat, { extension: string; describe: string }> = {
  custom: { extension: 'dump', describe: 'pg_dump custom format' },
  sql: { extension: 'sql', describe: 'plain SQL script (PGlite)' },
};

/** `todo-db-<db>-YYYYMMDD-HHMMSS.<ext>`, in UTC so two machines name the same moment alike. */
export function defaultBackupName(database: string, format: BackupFormat, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const db = database.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'db';
  return `todo-db-${db}-${stamp}.${FORMATS[format].extension}`;
}

/** Where a new backup goes; an existing file is never overwritten. */
export function backupPath(out: string | undefined, database: string, format: BackupFormat, cwd = process.cwd(), now = new Date()): string {
  const path = resolve(cwd, out ?? defaultBackupName(database, format, now));
  if (existsSync(path)) throw new UsageError(`${path} already exists`, 'choose another --out, or move the old backup away first');
  if (!existsSync(dirname(path))) throw new UsageError(`the folder ${dirname(path)} does not exist`, 'create it first, or choose another --out');
  return path;
}

/** What kind of backup a file is, from its first bytes (custom dumps start with "PGDMP"). */
export function detectFormat(path: string): BackupFormat {
  checkBackupFile(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the backup ${path}${code === 'ENOENT' ? ': no such file' : ` (${code})`}`, 'give the path of a file made by `todo-db backup`');
  }
  const head = Buffer.alloc(512);
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = head.subarray(0, n).toString('latin1');
  if (text.startsWith('PGDMP')) return 'custom';
  if (/^--\s*\n-- PostgreSQL database dump/.test(text)) return 'sql';
  throw new UsageError(`${path} is not a backup todo-db can restore`, 'expected a pg_dump custom-format file or a PGlite SQL dump made by `todo-db backup`');
}

/**
 * A backup is one regular file: a folder would fail deep in a read ("lost the
 * connection"), and a FIFO or a device would block or never end.
 */
function checkBackupFile(path: string): void {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    return; // detectFormat names a missing or unreadable file
  }
  if (stat.isFile()) return;
  const what = stat.isDirectory() ? 'a folder' : 'a pipe, socket or device';
  throw new UsageError(`cannot restore ${path}: it is ${what}, not a backup file`, 'give the path of one file made by `todo-db backup`');
}
