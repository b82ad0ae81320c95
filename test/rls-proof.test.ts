import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp, openDatabase, seedDevelopment, seedScale, verifyRls, type TodoDatabase } from '../src/index.js';
import { clonePglite } from './support/pglite.js';
import { adminQuery, createTestDatabase, RUN_ID, urlFor, type TestDatabase } from './support/postgres.js';
import { withRoleLock } from './support/role-lock.js';

const withRoleLockShared = <T>(fn: () => Promise<T>) => withRoleLock('shared', fn);

/**
 * Realistic hand-made leaks: each must make `rls verify` fail, naming it, on an
 * empty and on a seeded database. `id` is a substring of a failed row's id.
 * `$DB` in the SQL is the database's name; `$ROLE` a login role made for the case.
 */
interface Leak {
  name: string;
  sql: string;
  expect: string[];
  /** PGlite cannot express it (roles, other databases' settings) */
  serverOnly?: boolean;
  /** a login role the case creates and names as the application's role */
  appRole?: string;
}

const LEAKS: Leak[] = [
  // Policy predicates keyed on each kind of column: the probe rows cover every state.
  {
    name: 'select: OR a boolean (completed)',
    sql: 'alter policy tasks_select_own on tasks using (user_id = (select app_current_user_id()) or completed)',
    expect: ['tasks:read-others:user-A'],
  },
  {
    name: 'select: OR a nullable column is null',
    sql: 'alter policy tasks_select_own on tasks using (user_id = (select app_current_user_id()) or description is null)',
    expect: ['tasks:read-others:user-A'],
  },
  {
    name: 'select: OR an old row (age)',
    sql: "alter policy tasks_select_own on tasks using (user_id = (select app_current_user_id()) or created_at < now() - interval '1 year')",
    expect: ['tasks:read-others:user-A'],
  },
  {
    name: 'select: OR long text',
    sql: 'alter policy tasks_select_own on tasks using (user_id = (select app_current_user_id()) or length(title) > 100)',
    expect: ['tasks:read-others:user-A'],
  },
  {
    name: 'select: OR a literal no data can show',
    sql: "alter policy tasks_select_own on tasks using (user_id = (select app_current_user_id()) or title = 'x')",
    expect: ['design:policy-changed'],
  },
  {
    name: 'users select: OR email_verified',
    sql: 'alter policy users_select_self on users using (id = (select app_current_user_id()) or email_verified)',
    expect: ['users:read-others:user-A'],
  },
  {
    name: 'archive select: OR completed',
    sql: 'alter policy tasks_archive_select_own on tasks_archive using (user_id = (select app_current_user_id()) or completed)',
    expect: ['tasks_archive:read-others:user-A'],
  },
  {
    name: 'an extra permissive select policy USING (true)',
    sql: 'create policy tasks_peek on tasks for select to todo_app using (true)',
    expect: ['tasks:read-others:user-A', 'tasks:read-all:no-user-set'],
  },
  // Writes as an attacker writes them.
  {
    name: 'an extra delete policy USING (true), select intact',
    sql: 'create policy tasks_purge on tasks for delete to todo_app using (true)',
    expect: ['tasks:delete-all:user-A', 'tasks:delete-all:no-user-set'],
  },
  {
    name: 'delete: USING loosened by OR completed',
    sql: 'alter policy tasks_delete_own on tasks using (user_id = (select app_current_user_id()) or completed)',
    expect: ['tasks:delete-all:user-A'],
  },
  {
    name: 'update: USING loosened by OR completed',
    sql: 'alter policy tasks_update_own on tasks using (user_id = (select app_current_user_id()) or completed)',
    expect: ['tasks:update-all:user-A'],
  },
  {
    name: 'an extra update policy USING (true) WITH CHECK (true)',
    sql: 'create policy tasks_edit_any on tasks for update to todo_app using (true) with check (true)',
    expect: ['tasks:update-all:user-A', 'tasks:steal:user-A'],
  },
  {
    name: 'stealing: update USING (true), WITH CHECK own',
    sql: 'alter policy tasks_update_own on tasks using (true) with check (user_id = (select app_current_user_id()))',
    expect: ['tasks:steal:user-A'],
  },
  { name: 'giving away: update WITH CHECK (true)', sql: 'alter policy tasks_update_own on tasks with check (true)', expect: ['tasks:give-away:user-A'] },
  {
    name: 'an extra insert policy WITH CHECK (true)',
    sql: 'create policy tasks_insert_any on tasks for insert to todo_app with check (true)',
    expect: ['tasks:insert-other:user-A', 'tasks:insert-as-a:no-user-set'],
  },
  {
    name: 'archive: insert granted with an open policy',
    sql: 'grant insert on tasks_archive to todo_app; create policy tasks_archive_insert_any on tasks_archive for insert to todo_app with check (true)',
    expect: ['tasks_archive:insert-other:user-A'],
  },
  { name: 'a policy TO public', sql: 'alter policy tasks_select_own on tasks to public', expect: ['policy-to-public'] },
  // Flags and ownership.
  { name: 'RLS disabled on tasks', sql: 'alter table tasks disable row level security', expect: ['rls-not-forced', 'tasks:read-others:user-A', 'tasks:read-all:no-user-set'] },
  {
    name: 'NO FORCE with the app owning the table',
    sql: 'alter table tasks no force row level security; alter table tasks owner to todo_app',
    expect: ['rls-not-forced', 'app-owns-table', 'tasks:read-others:user-A'],
  },
  { name: 'todo_app owning a table', sql: 'alter table tasks_archive owner to todo_app', expect: ['app-owns-table'] },
  // Every other way in.
  { name: 'a view over tasks readable by the app', sql: 'create view all_tasks as select * from tasks; grant select on all_tasks to todo_app', expect: ['reachable-view'] },
  {
    name: 'a materialized view readable by the app',
    sql: 'create materialized view task_copy as select * from tasks; grant select on task_copy to todo_app',
    expect: ['reachable-materialized-view'],
  },
  {
    name: 'a SECURITY DEFINER function the app can execute',
    sql: 'create function count_all_tasks() returns bigint language sql security definer as $$ select count(*) from tasks $$',
    expect: ['security-definer-function'],
  },
  {
    name: 'a trigger copying rows out',
    sql: 'create table task_log (id uuid, user_id uuid, title text); grant select on task_log to todo_app; create function log_task() returns trigger language plpgsql security definer as $$ begin insert into task_log values (new.id, new.user_id, new.title); return new; end $$; create trigger tasks_log after insert on tasks for each row execute function log_task()',
    expect: ['trigger-outside-design', 'reachable-table'],
  },
  {
    name: 'a table in another schema',
    sql: 'create schema side; create table side.tasks_copy as select * from tasks; grant usage on schema side to todo_app; grant select on side.tasks_copy to todo_app',
    expect: ['reachable-table'],
  },
  {
    name: 'an app table with user_id and no RLS',
    sql: 'create table notes (id uuid primary key default gen_random_uuid(), user_id uuid not null references users(id), body text, pinned boolean not null default false); grant select, insert, update, delete on notes to todo_app',
    expect: ['notes:read-others:user-A', 'rls-not-forced'],
  },
  { name: 'tasks granted to PUBLIC', sql: 'grant select on tasks to public', expect: ['reachable-table'] },
  {
    name: 'the helper with a constant fallback',
    sql: "create or replace function app_current_user_id() returns uuid language sql stable as $$ select coalesce(nullif(current_setting('app.current_user_id', true), '')::uuid, '00000000-0000-0000-0000-000000000001') $$",
    expect: ['helper-changed'],
  },
  { name: 'the helper SECURITY DEFINER', sql: 'alter function app_current_user_id() security definer', expect: ['helper-changed'] },
  { name: 'the helper with a SET clause', sql: 'alter function app_current_user_id() set search_path = public', expect: ['helper-changed'] },
  {
    name: 'a role-level setting of the parameter',
    sql: 'alter role todo_app in database "$DB" set app.current_user_id = \'00000000-0000-0000-0000-000000000001\'',
    expect: ['user-setting-preset'],
    serverOnly: true,
  },
  {
    name: 'a database-level setting of the parameter',
    sql: 'alter database "$DB" set app.current_user_id = \'00000000-0000-0000-0000-000000000001\'',
    expect: ['user-setting-preset'],
    serverOnly: true,
  },
  {
    name: 'the app logs in as a BYPASSRLS role',
    sql: 'create role "$ROLE" login bypassrls in role todo_app',
    expect: ['app-role:app-role-bypassrls'],
    serverOnly: true,
    appRole: '$ROLE',
  },
  { name: 'the app logs in as a superuser', sql: 'create role "$ROLE" login superuser', expect: ['app-role:app-role-superuser'], serverOnly: true, appRole: '$ROLE' },
];

const ROLE = (i: number) => `tododb_leak_${RUN_ID}_${process.pid}_${i}`.toLowerCase().slice(0, 60);
const fill = (text: string, db: string, role: string) => text.replaceAll('$DB', db).replaceAll('$ROLE', role);

async function seed(db: TodoDatabase): Promise<void> {
  await seedDevelopment(db);
  await seedScale(db, { users: 50, tasksPerUser: 4, seed: 3 });
}

async function check(db: TodoDatabase, leak: Leak, role: string): Promise<void> {
  const result = await verifyRls(db, leak.appRole ? { appRole: fill(leak.appRole, '', role) } : {});
  expect({ leak: leak.name, ok: result.ok }).toEqual({ leak: leak.name, ok: false });
  for (const id of leak.expect)
    expect({ leak: leak.name, named: result.failed.some((f) => f.includes(id)) }, `failed: ${result.failed.join(', ')}`).toEqual({ leak: leak.name, named: true });
}

describe('rls verify catches every leak on PostgreSQL', () => {
  const templates: Record<'empty' | 'seeded', TestDatabase | undefined> = { empty: undefined, seeded: undefined };
  beforeAll(async () => {
    for (const state of ['empty', 'seeded'] as const) {
      const base = await createTestDatabase(`leakbase_${state}`);
      const db = await openDatabase({ url: base.url });
      await migrateUp(db);
      if (state === 'seeded') await seed(db);
      await db.close();
      templates[state] = base;
    }
  });
  afterAll(async () => {
    for (const t of Object.values(templates)) await t?.drop();
  });

  it.each(LEAKS.map((leak, i) => ({ ...leak, i })))('$name', async (leak) => {
    for (const state of ['empty', 'seeded'] as const) {
      const name = `${templates[state]!.name}_${leak.i}`.slice(0, 63);
      await adminQuery(`create database "${name}" template "${templates[state]!.name}"`);
      const role = ROLE(leak.i);
      const db = await openDatabase({ url: urlFor(name) });
      try {
        await sql.raw(fill(leak.sql, name, role)).execute(db.db);
        await check(db, leak, role);
      } finally {
        await db.close();
        await adminQuery(`drop database if exists "${name}" with (force)`);
        if (leak.appRole) await adminQuery(`drop role if exists "${role}"`);
      }
    }
  });
});

describe('rls verify catches the leaks PGlite can express', () => {
  let template: { dir: string; remove(): void };
  beforeAll(async () => {
    const fresh = clonePglite();
    const db = await openDatabase({ url: fresh.url });
    await migrateUp(db);
    await seed(db);
    await db.close();
    template = fresh;
  });
  afterAll(() => template?.remove());

  const PGLITE = LEAKS.filter((l) => !l.serverOnly).filter((_, i) => i % 3 === 0);
  it.each(PGLITE)('$name', async (leak) => {
    const parent = mkdtempSync(join(tmpdir(), 'todo-db-leak-'));
    const dir = join(parent, 'data');
    cpSync(template.dir, dir, { recursive: true });
    const db = await openDatabase({ url: `pglite:${dir}` });
    try {
      await sql.raw(leak.sql).execute(db.db);
      await check(db, leak, 'postgres');
    } finally {
      await db.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('rls verify on an intact, seeded database (PostgreSQL)', () => {
  let base: TestDatabase;
  beforeAll(async () => {
    base = await createTestDatabase('proofintact');
  });
  afterAll(async () => {
    await base?.drop();
  });

  it('passes and leaves nothing behind: rows, locks, roles', async () => {
    const db = await openDatabase({ url: base.url });
    try {
      await migrateUp(db);
      await seed(db);
      const counts = () =>
        adminQuery<{ n: string }>(`select (select count(*) from users) || '/' || (select count(*) from tasks) || '/' || (select count(*) from tasks_archive) as n`, base.name);
      const roles = () => adminQuery<{ n: string }>(`select count(*)::text as n from pg_roles`);
      const [before, rolesBefore] = [await counts(), await roles()];
      const result = await withRoleLockShared(() => verifyRls(db));
      expect(result.failed).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.checks.filter((c) => c.status === 'not-run')).toEqual([]);
      expect(await counts()).toEqual(before);
      expect(await roles()).toEqual(rolesBefore);
      const locks = await adminQuery<{ n: string }>(
        `select count(*)::text as n from pg_locks l join pg_stat_activity a on a.pid = l.pid where a.datname = $1 and l.locktype = 'relation' and a.pid <> pg_backend_pid()`,
        'postgres',
        [base.name],
      );
      expect(locks).toEqual([{ n: '0' }]);
    } finally {
      await db.close();
    }
  });

  it("does not count another database's preset of the user id: it never reaches this database's sessions", async () => {
    const other = await createTestDatabase('proofother');
    const db = await openDatabase({ url: base.url });
    try {
      await adminQuery(`alter role todo_app in database "${other.name}" set app.current_user_id = '00000000-0000-0000-0000-000000000001'`);
      const result = await withRoleLockShared(() => verifyRls(db));
      expect(result.failed).toEqual([]);
      expect(result.checks.filter((c) => c.id.includes('user-setting-preset'))).toEqual([]);
    } finally {
      await db.close();
      // dropping the database drops its role settings too
      await other.drop();
    }
  });
});
