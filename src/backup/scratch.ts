import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type TodoDatabase } from '../connection/open.js';
import { UnsupportedError } from '../errors.js';
import type { PostgresTarget } from './pg-tools.js';

export interface ScratchOutcome<T> {
  result: T;
  /** the scratch database as shown to people */
  display: string;
  /** false only when dropping it failed; `leftover` then names what to remove */
  dropped: boolean;
  leftover?: string;
}

/**
 * Runs `fn` on a new, empty database beside the source and always removes it
 * afterwards: a database created on the same server (PostgreSQL) or a temporary
 * folder (PGlite).
 */
export async function withScratchDatabase<T>(source: TodoDatabase<any>, fn: (scratch: TodoDatabase) => Promise<T>): Promise<ScratchOutcome<T>> {
  if (source.target.backend === 'postgres') return onServer(source, source.target, fn);
  const parent = mkdtempSync(join(tmpdir(), 'todo-db-verify-'));
  const dir = join(parent, 'data');
  try {
    const scratch = await openDatabase({ url: `pglite:${dir}` });
    try {
      return { result: await fn(scratch), display: `pglite:${dir}`, dropped: true };
    } finally {
      await scratch.close();
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

async function onServer<T>(source: TodoDatabase<any>, target: PostgresTarget, fn: (scratch: TodoDatabase) => Promise<T>): Promise<ScratchOutcome<T>> {
  const name = `todo_db_verify_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  try {
    await sql`create database ${sql.id(name)}`.execute(source.db);
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      throw new UnsupportedError(
        `role "${source.server.user}" may not create databases, and verifying a backup needs a scratch database`,
        'grant it CREATEDB, or restore the backup yourself: `todo-db restore FILE --url <an empty database>`',
        { cause: error },
      );
    }
    throw error;
  }
  const display = target.display.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  let result: T;
  let dropped = false;
  try {
    const scratch = await openDatabase({ url: urlFor(target, name) });
    try {
      result = await fn(scratch);
    } finally {
      await scratch.close();
    }
  } finally {
    // WITH (FORCE): a session the restore left behind must not keep the database alive.
    dropped = await sql`drop database if exists ${sql.id(name)} with (force)`
      .execute(source.db)
      .then(() => true)
      .catch(() => false);
  }
  return { result, display, dropped, ...(dropped ? {} : { leftover: name }) };
}

/** The source's URL with another database name; the TLS setting carried back into `sslmode`. */
function urlFor(target: PostgresTarget, database: string): string {
  let url: URL;
  if (target.connectionString) url = new URL(target.connectionString);
  else {
    url = new URL(`postgres://${target.host}:${target.port}/`);
    if (target.user) url.username = encodeURIComponent(target.user);
    if (process.env.PGPASSWORD) url.password = encodeURIComponent(process.env.PGPASSWORD);
  }
  url.pathname = `/${encodeURIComponent(database)}`;
  if (target.ssl !== false) url.searchParams.set('sslmode', target.ssl.rejectUnauthorized ? 'require' : 'no-verify');
  return url.toString();
}
