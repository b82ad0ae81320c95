import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database, TodoDatabase } from '../../src/index.js';
import type { BackendName } from './backends.js';

/**
 * The application's view: a LOGIN role granted todo_app, so RLS really applies.
 * On the server, a pool that logs in as that role; PGlite has one session, so
 * it switches that session to the role (as the server's login would).
 */
export async function appConnection(backend: BackendName, admin: TodoDatabase, url: string, role: string, max = 2): Promise<Kysely<Database>> {
  if (backend === 'postgres') {
    const appUrl = new URL(url);
    appUrl.username = role;
    const pool = new pg.Pool({ connectionString: appUrl.toString(), max });
    // As an app's pool would: an idle client the server ends (the database dropped at the end) is not a crash.
    pool.on('error', () => undefined);
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  await sql.raw(`set role ${role}`).execute(admin.db);
  return admin.db as Kysely<Database>;
}
