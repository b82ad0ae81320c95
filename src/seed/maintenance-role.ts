import { sql } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { ProblemError } from '../errors.js';
import { listAnd } from '../text.js';

/**
 * Seeding, cleanup and archiving run as the maintenance role. A role that row-level
 * security applies to (not a superuser, no BYPASSRLS, and not the owner, or the
 * owner with RLS forced) would see no rows and be refused every write, which
 * surfaces as an obscure policy error halfway through; say so up front instead.
 * Read as SQL, not from the connect-time role, so a `SET ROLE` in the session counts.
 */
export async function assertMaintenanceRole(database: TodoDatabase, command: string, tables: readonly string[] = ['users', 'tasks']): Promise<void> {
  if (!database.capabilities.catalog) return;
  const { rows: present } = await sql<{ name: string; exists: boolean }>`
    select t.name, to_regclass(t.name) is not null as exists
    from unnest(${[...tables]}::text[]) with ordinality as t(name, n) order by t.n`.execute(database.db);
  const missing = present.filter((t) => !t.exists).map((t) => t.name);
  if (missing.length > 0) {
    throw new ProblemError(
      `${command} needs the ${listAnd(tables)} tables, and ${listAnd(missing)} ${missing.length === 1 ? 'does' : 'do'} not exist here`,
      'run `todo-db migrate up` first',
    );
  }
  if (!database.capabilities.rls) return;
  const { rows } = await sql<{ role: string; relname: string }>`
    select current_user as role, c.relname
    from pg_class c join pg_roles r on r.rolname = current_user
    where c.oid = any(${[...tables]}::regclass[])
      and not (r.rolsuper or r.rolbypassrls)
      and c.relrowsecurity
      and (c.relforcerowsecurity or not pg_has_role(c.relowner, 'USAGE'))
    order by c.relname`.execute(database.db);
  if (rows.length > 0) {
    throw new ProblemError(
      `${command} must run as the maintenance role, but row-level security applies to ${rows[0]!.role} on ${listAnd(rows.map((r) => r.relname))}, so it would see and change nothing`,
      'connect as a superuser or the table owner with BYPASSRLS',
    );
  }
}
