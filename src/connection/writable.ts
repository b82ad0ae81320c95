import { sql, type Kysely } from 'kysely';
import { UsageError } from '../errors.js';
import type { TodoDatabase } from './open.js';

/** A command that writes was pointed at a standby (or a read-only server): exit 2, before anything ran. */
export class ReadOnlyServerError extends UsageError {}

/**
 * The one guard of every command that writes (migrate up/down/redo, rls apply,
 * seed, cleanup, archive, restore, and the scratch database of verify
 * --migrations and backup --verify): on a hot standby or read replica
 * (pg_is_in_recovery(), read when the connection opened) or a server whose
 * transactions are read-only, it throws one line pointing at the primary, before
 * the command takes a lock or asks a question. Costs no round trip on a primary.
 *
 * @example
 * await requireWritable(database, 'seed');
 * await requireWritable(database, 'verify --migrations', 'creates a scratch database');
 */
export async function requireWritable(database: Pick<TodoDatabase<any>, 'db' | 'server' | 'target'>, what: string, does = 'writes'): Promise<void> {
  if (!database.server.readOnly) return;
  const where = database.target.display;
  if (!database.server.standby) {
    throw new ReadOnlyServerError(`${what} ${does}, and ${where} takes no writes (default_transaction_read_only is on)`, 'connect to a database and role that take writes');
  }
  const primary = await primaryOf(database.db);
  throw new ReadOnlyServerError(
    `${what} ${does}, and ${where} is a standby (read-only: it replays its primary's WAL)`,
    primary
      ? `run it against the primary, ${primary}, which this standby streams from`
      : "run it against the primary: its URL, not a read replica's (DATABASE_URL_UNPOOLED or --url)",
  );
}

/** host:port of the primary a standby streams from, when the role may see it (superuser, pg_read_all_stats). */
export async function primaryOf(db: Kysely<any>): Promise<string | null> {
  try {
    const { rows } = await sql<{ host: string | null; port: number | null }>`select sender_host as host, sender_port as port from pg_stat_wal_receiver`.execute(db);
    const row = rows[0];
    return row?.host ? `${row.host}:${row.port}` : null;
  } catch {
    return null;
  }
}
