import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedError, UsageError, applyRls, migrateUp, rlsStatus, verifyRls, type TodoDatabase } from '../src/index.js';
import { SERVER_BACKENDS, openFresh, type BackendName } from './support/backends.js';
import { withRoleLock } from './support/role-lock.js';

/** Ways the RLS setup drifts, what `rls verify` must then name, and what `rls status` must flag. */
const DRIFTS = [
  {
    name: 'a permissive USING (true) select policy added',
    sql: 'create policy tasks_select_all on tasks for select to todo_app using (true)',
    failed: ['policies-once-per-statement', 'tasks:read-all:no-user-set', 'tasks:read-all:empty-user-id', 'tasks:read-others:user-A', 'design:policy-unexpected'],
    findings: ['policy-unexpected', 'policy-duplicate-permissive'],
  },
  {
    name: "the update policy's WITH CHECK loosened to true",
    sql: 'alter policy tasks_update_own on tasks with check (true)',
    failed: ['policies-once-per-statement', 'tasks:give-away:user-A', 'design:policy-always-true'],
    findings: ['policy-always-true'],
  },
  {
    // PostgreSQL then checks new rows with USING, so nothing leaks yet; the catalog rows still name it.
    name: "the update policy's WITH CHECK removed",
    sql: 'drop policy tasks_update_own on tasks; create policy tasks_update_own on tasks for update to todo_app using (user_id = (select app_current_user_id()))',
    failed: ['update-policies-with-check', 'design:policy-no-with-check'],
    findings: ['policy-no-with-check'],
  },
  {
    name: 'RLS disabled on tasks',
    sql: 'alter table tasks disable row level security',
    failed: [
      'tasks:read-all:no-user-set',
      'tasks:update-all:no-user-set',
      'tasks:delete-all:no-user-set',
      'tasks:insert-as-a:no-user-set',
      'tasks:read-others:user-A',
      'tasks:update-all:user-A',
      'tasks:steal:user-A',
      'tasks:give-away:user-A',
      'tasks:delete-all:user-A',
      'tasks:insert-other:user-A',
      'rls-not-forced',
    ],
    findings: ['rls-disabled'],
  },
  {
    name: 'a policy calling the helper once per row',
    sql: 'alter policy tasks_select_own on tasks using (user_id = app_current_user_id())',
    failed: ['policies-once-per-statement', 'design:policy-per-row'],
    findings: ['policy-per-row'],
  },
  {
    // The owner is not todo_app, so no probe can show it; the catalog rows do.
    name: 'RLS no longer forced on users, TRUNCATE granted, the helper dropped policy by policy',
    sql: 'alter table users no force row level security; grant truncate on tasks to todo_app; drop policy users_update_self on users',
    failed: ['rls-not-forced', 'design:policy-missing', 'design:grants'],
    findings: ['rls-not-forced', 'policy-missing', 'grants'],
  },
  {
    name: 'RLS disabled on tasks_archive',
    sql: 'alter table tasks_archive disable row level security',
    failed: ['tasks_archive:read-all:no-user-set', 'tasks_archive:delete-all:no-user-set', 'tasks_archive:read-others:user-A', 'tasks_archive:delete-all:user-A', 'rls-not-forced'],
    findings: ['rls-disabled'],
  },
  {
    name: 'the app allowed to write archived tasks (INSERT granted, an open insert policy)',
    sql: 'grant insert on tasks_archive to todo_app; create policy tasks_archive_insert_any on tasks_archive for insert to todo_app with check (true)',
    failed: ['policies-once-per-statement', 'tasks_archive:insert-other:user-A', 'design:policy-unexpected'],
    findings: ['policy-unexpected', 'grants'],
  },
] as const;

let roleCounter = 0;
/** A login role unique to this process, dropped by `drop`. */
async function createRole(handle: TodoDatabase, attributes: string, grantApp = true): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `tododb_rlstest_${process.pid}_${++roleCounter}`;
  await sql.raw(`create role ${name} login ${attributes}`).execute(handle.db);
  if (grantApp) await sql.raw(`grant todo_app to ${name}`).execute(handle.db);
  return {
    name,
    drop: async () => {
      await sql.raw(`reassign owned by ${name} to current_user; drop owned by ${name}; drop role ${name}`).execute(handle.db);
    },
  };
}

describe.each(SERVER_BACKENDS)('row-level security on %s', (backend: BackendName) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  // todo_app is cluster-wide on the server: hold it shared while a result depends on it.
  const intact = <T>(fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock('shared', fn) : fn());
  beforeAll(async () => {
    fresh = await openFresh(backend, 'rls');
    await migrateUp(fresh.handle);
  });
  afterAll(async () => {
    await fresh?.close();
  });

  it('proves isolation on a migrated database, is clean for a login role granted todo_app, and apply changes nothing', async () => {
    const app = await createRole(fresh.handle, 'nosuperuser nobypassrls');
    try {
      await intact(async () => {
        const result = await verifyRls(fresh.handle);
        expect(result.failed).toEqual([]);
        expect(result.ok).toBe(true);
        expect(result.tenants).toEqual(['users', 'accounts', 'sessions', 'tasks', 'tasks_archive']);
        const status = await rlsStatus(fresh.handle, { appRole: app.name });
        expect(status.findings).toEqual([]);
        expect(status.ok).toBe(true);
        expect(status.appRole).toMatchObject({ name: app.name, superuser: false, bypassRls: false, owns: [], inheritsAppRole: true });
        expect(status.tables).toEqual(
          ['users', 'accounts', 'sessions', 'tasks', 'tasks_archive', 'verifications'].map((table) => ({
            table,
            exists: true,
            enabled: true,
            forced: true,
            owner: fresh.handle.server.user,
          })),
        );
        expect(status.policies.map((p) => `${p.table}.${p.name} ${p.command}`)).toEqual([
          'users.users_auth_service ALL',
          'users.users_select_self SELECT',
          'users.users_update_self UPDATE',
          'accounts.accounts_auth_service ALL',
          'sessions.sessions_auth_service ALL',
          'tasks.tasks_delete_own DELETE',
          'tasks.tasks_insert_own INSERT',
          'tasks.tasks_select_own SELECT',
          'tasks.tasks_update_own UPDATE',
          'tasks_archive.tasks_archive_delete_own DELETE',
          'tasks_archive.tasks_archive_select_own SELECT',
          'verifications.verifications_auth_service ALL',
        ]);
        expect(status.notes).toEqual([
          expect.stringMatching(/^users: no INSERT\/DELETE policy, so todo_app is denied them/),
          expect.stringMatching(/^tasks_archive: no INSERT\/UPDATE policy, so todo_app is denied them/),
          expect.stringMatching(/^todo_auth \(the auth service\) sees every row of users, sessions, accounts, verifications .* and has no grant on the task tables$/),
        ]);
        const policiesBefore = await policyOids(fresh.handle);
        const applied = await applyRls(fresh.handle);
        expect(applied).toMatchObject({ ranScript: false, roleStatements: [], changes: [] });
        // Not re-created: the same catalog rows as before.
        expect(await policyOids(fresh.handle)).toEqual(policiesBefore);
      });
    } finally {
      await app.drop();
    }
  });

  it.each(DRIFTS)('verify names the leak, status flags it and apply restores it: $name', async (drift) => {
    await intact(async () => {
      await sql.raw(drift.sql).execute(fresh.handle.db);
      const broken = await verifyRls(fresh.handle);
      expect(broken.failed).toEqual(expect.arrayContaining([...drift.failed]));
      expect(broken.ok).toBe(false);
      const status = await rlsStatus(fresh.handle);
      expect(status.ok).toBe(false);
      expect([...new Set(status.findings.map((f) => f.code))].sort()).toEqual([...drift.findings].sort());
      expect(status.findings.every((f) => f.fix === 'run `todo-db rls apply`')).toBe(true);

      const applied = await applyRls(fresh.handle);
      expect(applied.ranScript).toBe(true);
      expect(applied.changes.length).toBeGreaterThan(0);
      expect(applied.remaining).toEqual([]);
      expect((await rlsStatus(fresh.handle)).findings).toEqual([]);
      expect((await verifyRls(fresh.handle)).failed).toEqual([]);
    });
  });

  it('reports what apply changed as a before/after diff', async () => {
    await intact(async () => {
      await sql.raw('alter table tasks disable row level security; alter policy tasks_update_own on tasks with check (true)').execute(fresh.handle.db);
      const applied = await applyRls(fresh.handle);
      expect(applied.changes).toEqual([
        { subject: 'table tasks', before: 'RLS disabled', after: 'RLS enabled, forced' },
        {
          subject: 'policy tasks.tasks_update_own',
          before: 'UPDATE TO todo_app USING (user_id = ( SELECT app_current_user_id() AS app_current_user_id)) WITH CHECK true',
          after:
            'UPDATE TO todo_app USING (user_id = ( SELECT app_current_user_id() AS app_current_user_id)) WITH CHECK (user_id = ( SELECT app_current_user_id() AS app_current_user_id))',
        },
      ]);
    });
  });

  it('fails the application role when it is a superuser, bypasses RLS, owns the tables or is not in todo_app', async () => {
    const bypass = await createRole(fresh.handle, 'bypassrls');
    const owner = await createRole(fresh.handle, '');
    const outsider = await createRole(fresh.handle, '', false);
    const codes = async (appRole: string) => (await rlsStatus(fresh.handle, { appRole })).findings.map((f) => f.code);
    try {
      expect(await codes(fresh.handle.server.user)).toEqual(['app-role-superuser', 'app-role-owner']);
      expect(await codes(bypass.name)).toEqual(['app-role-bypassrls']);
      expect(await codes(outsider.name)).toEqual(['app-role-not-member']);
      expect(await codes('no_such_role_anywhere')).toEqual(['app-role-missing']);
      await sql
        .raw(`alter table users owner to ${owner.name}; alter table tasks owner to ${owner.name}; alter table tasks_archive owner to ${owner.name}`)
        .execute(fresh.handle.db);
      const status = await rlsStatus(fresh.handle, { appRole: owner.name });
      expect(status.findings.map((f) => [f.code, f.fix])).toEqual([
        ['app-role-owner', 'ALTER TABLE users OWNER TO <maintenance role>; ALTER TABLE tasks OWNER TO <maintenance role>; ALTER TABLE tasks_archive OWNER TO <maintenance role>;'],
      ]);
      expect(status.ok).toBe(false);
      // The application URL names the role as well as --app-role does.
      const url = backend === 'postgres' ? `postgres://${bypass.name}:secret@127.0.0.1:5432/x` : fresh.backend.url;
      // PGlite's one user is the superuser, which still owns the auth tables here.
      expect((await rlsStatus(fresh.handle, { appUrl: url })).findings.map((f) => f.code)).toEqual(
        backend === 'postgres' ? ['app-role-bypassrls'] : ['app-role-superuser', 'app-role-owner'],
      );
    } finally {
      await sql.raw(`alter table users owner to current_user; alter table tasks owner to current_user; alter table tasks_archive owner to current_user`).execute(fresh.handle.db);
      for (const role of [bypass, owner, outsider]) await role.drop();
    }
    await expect(rlsStatus(fresh.handle, { appRole: 'a', appUrl: 'postgres://b@h/d' })).rejects.toThrow(UsageError);
  });

  it('flags todo_app gaining BYPASSRLS, and apply resets it when connected as a superuser', async () => {
    await withRoleLock('exclusive', async () => {
      try {
        await sql`alter role todo_app bypassrls`.execute(fresh.handle.db);
        const status = await rlsStatus(fresh.handle);
        expect(status.findings.map((f) => [f.code, f.fix])).toEqual([['role-bypassrls', 'run as a superuser: ALTER ROLE todo_app NOBYPASSRLS;']]);
        expect((await verifyRls(fresh.handle)).failed).toContain('tasks:read-others:user-A');
        const applied = await applyRls(fresh.handle);
        expect(applied).toMatchObject({ ranScript: false, roleStatements: ['ALTER ROLE todo_app NOBYPASSRLS;'] });
        expect(applied.changes).toEqual([{ subject: 'role todo_app', before: 'NOSUPERUSER BYPASSRLS NOLOGIN', after: 'NOSUPERUSER NOBYPASSRLS NOLOGIN' }]);
        expect((await verifyRls(fresh.handle)).ok).toBe(true);
      } finally {
        await sql`alter role todo_app nobypassrls`.execute(fresh.handle.db);
      }
    });
  });

  it('leaves no trace: the probe users and tasks are rolled back', async () => {
    const count = async () => (await sql<{ n: number }>`select (select count(*) from users)::int + (select count(*) from tasks)::int as n`.execute(fresh.handle.db)).rows[0]?.n;
    const before = await count();
    await intact(() => verifyRls(fresh.handle));
    expect(await count()).toBe(before);
    expect((await sql<{ u: string }>`select current_user as u`.execute(fresh.handle.db)).rows[0]?.u).toBe(fresh.handle.server.user);
  });
});

describe('row-level security on pgmem', () => {
  it('says the backend has no RLS instead of pretending', async () => {
    const fresh = await openFresh('pgmem', 'rls');
    try {
      await expect(rlsStatus(fresh.handle)).rejects.toThrow(UnsupportedError);
      await expect(verifyRls(fresh.handle)).rejects.toThrow(/rls verify needs row-level security, which pgmem does not have/);
      await expect(applyRls(fresh.handle)).rejects.toThrow(UnsupportedError);
    } finally {
      await fresh.close();
    }
  });
});

async function policyOids(handle: TodoDatabase): Promise<string[]> {
  const { rows } = await sql<{ oid: string }>`select oid::text from pg_policy order by oid`.execute(handle.db);
  return rows.map((r) => r.oid);
}
