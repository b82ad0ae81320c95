import { requireWritable } from '../connection/writable.js';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase, type TodoDatabase } from '../connection/open.js';
import type { Target } from '../connection/target.js';
import { UnsupportedError } from '../errors.js';

/**
 * Runs `fn` on a new, empty database next to the one `database` reaches, and removes
 * it afterwards whatever happens: `create database` as the connected role on a
 * server, an in-memory instance for PGlite.
 */
export async function withScratchDatabase<T>(database: TodoDatabase<any>, fn: (scratch: TodoDatabase<any>) => Promise<T>): Promise<T> {
  if (database.target.backend === 'pglite') {
    const scratch = await openDatabase<any>({ url: 'pglite:memory' });
    try {
      return await fn(scratch);
    } finally {
      await scratch.close();
    }
  }
  if (database.target.backend !== 'postgres') {
    throw new UnsupportedError(`${database.kind} cannot host a scratch database for the migration check`, 'run it against PostgreSQL or PGlite');
  }
  await requireWritable(database, 'this check', 'creates a scratch database');
  const name = `todo_db_check_${randomBytes(6).toString('hex')}`;
  try {
    await sql`create database ${sql.id(name)}`.execute(database.db);
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      throw new UnsupportedError(
        `${database.server.user} may not create databases, and the migration check runs in a scratch database it creates and drops`,
        'connect as a role with CREATEDB (locally: postgres; on Neon: the owner role)',
      );
    }
    throw error;
  }
  try {
    const scratch = await openDatabase<any>({ url: scratchUrl(database.target, name) });
    try {
      return await fn(scratch);
    } finally {
      await scratch.close();
    }
  } finally {
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(database.db);
  }
}

/** The same server, user and TLS setting; only the database differs. */
function scratchUrl(target: Extract<Target, { backend: 'postgres' }>, database: string): string {
  const url = new URL(target.connectionString ?? `postgres://${target.user ? encodeURIComponent(target.user) + '@' : ''}${hostPart(target.host)}:${target.port}/`);
  if (target.host.startsWith('/')) url.searchParams.set('host', target.host);
  url.pathname = `/${encodeURIComponent(database)}`;
  if (target.ssl) url.searchParams.set('sslmode', target.ssl.rejectUnauthorized ? 'require' : 'no-verify');
  return url.toString();
}

/** A Unix-socket directory cannot be a URL host; it goes in `?host=` instead. */
function hostPart(host: string): string {
  return host.startsWith('/') ? 'localhost' : host.includes(':') ? `[${host}]` : host;
}
