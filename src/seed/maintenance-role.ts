import { sql } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { ProblemError } from '../errors.js';

/**
 * Seeding and cleanup run as the maintenance role. A role that row-level security
 * applies to (not a superuser, no BYPASSRLS, and not the owner, or the owner with
 * RLS forced) would see no rows and be refused every write, which surfaces as an
 * obscure policy error halfway through; say so up front instead. Read as SQL, not
 * from the connect-time role, so a `SET ROLE` in the session counts.
 */
export async function assertMaintenanceRole(handle: TodoDatabase, command: string): Promise<void> {
  if (!handle.capabilities.catalog) return;
  const { rows: tables } = await sql<{ users: boolean; tasks: boolean }>`
    select to_regclass('users') is not null as users, to_regclass('tasks') is not null as tasks`.execute(handle.db);
  if (!tables[0]?.users || !tables[0]?.tasks) {
    throw new ProblemError(`${command} needs the users and tasks tables, and they do not exist here`, 'run `todo-db migrate up` first');
  }
  if (!handle.capabilities.rls) return;
  const { rows } = await sql<{ role: string; relname: string }>`
    select current_user as role, c.relname
    from pg_class c join pg_roles r on r.rolname = current_user
    where c.oid in ('users'::regclass, 'tasks'::regclass)
      and not (r.rolsuper or r.rolbypassrls)
      and c.relrowsecurity
      and (c.relforcerowsecurity or not pg_has_role(c.relowner, 'USAGE'))
    order by c.relname`.execute(handle.db);
  if (rows.length > 0) {
    throw new ProblemError(
      `${command} must run as the maintenance role, but row-level security applies to ${rows[0]!.role} on ${rows.map((r) => r.relname).join(' and ')}, so it would see and change nothing`,
      'connect as a superuser or the table owner with BYPASSRLS',
    );
  }
}
