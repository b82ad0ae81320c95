import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { applyRls, rlsStatus, verifyRls } from '../src/index.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { uniqueRole } from './support/better-auth.js';
import { useFreshDatabase } from './support/fresh-database.js';
import { withRoleLock } from './support/role-lock.js';

const codes = (findings: readonly { code: string; subject: string }[]) => findings.map((f) => `${f.code} ${f.subject}`);

/** todo_auth as part of the RLS design: status lints it, apply restores it, verify proves both boundaries. */
describe.each(SERVER_BACKENDS)('rls and the auth service role (%s)', (backend) => {
  const fresh = useFreshDatabase(backend, { label: 'rls_auth' });
  // Roles are cluster-wide on the server: hold them shared while a result depends on them.
  const intact = <T>(fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock('shared', fn) : fn());

  it("keeps todo_auth's policies and grants, and proves todo_auth cannot read tasks nor todo_app the auth tables", async () => {
    await intact(async () => {
      const status = await rlsStatus(fresh.handle);
      expect(status.findings).toEqual([]);
      expect(status.policies.filter((p) => p.roles.includes('todo_auth')).map((p) => `${p.table}.${p.name} ${p.command} ${p.using} ${p.withCheck}`)).toEqual([
        'users.users_auth_service ALL true true',
        'accounts.accounts_auth_service ALL true true',
        'sessions.sessions_auth_service ALL true true',
        'verifications.verifications_auth_service ALL true true',
      ]);
      expect(status.role.grants.find((g) => g.table === 'users')?.privileges).toEqual(['SELECT', 'INSERT', 'DELETE', 'UPDATE(name, image)']);
      expect((await applyRls(fresh.handle)).ranScript).toBe(false);
      const verified = await verifyRls(fresh.handle);
      expect(verified.failed).toEqual([]);
      // todo_auth tried on the task tables, todo_app on the auth tables: every attempt denied.
      const asAuth = verified.probes.filter((p) => p.id.endsWith(':todo_auth'));
      expect([...new Set(asAuth.map((p) => p.id.split(':')[0]))]).toEqual(['tasks', 'tasks_archive']);
      expect(asAuth.map((p) => p.observed)).toEqual(asAuth.map(() => 'denied'));
      const appOnAuth = verified.probes.filter((p) => /^(accounts|sessions):/.test(p.id));
      expect(appOnAuth.length).toBeGreaterThanOrEqual(2 * 10);
      expect(appOnAuth.filter((p) => p.observed !== 'denied')).toEqual([]);
    });
  });

  it('flags drift of the auth part, and apply restores it', async () => {
    await intact(async () => {
      await sql
        .raw(
          `drop policy sessions_auth_service on sessions;
           alter policy users_auth_service on users using (id = (select app_current_user_id()));
           grant select on sessions to todo_app; grant select on tasks to todo_auth;
           alter table accounts no force row level security`,
        )
        .execute(fresh.handle.db);
      const drifted = await rlsStatus(fresh.handle);
      expect(codes(drifted.findings)).toEqual([
        'rls-not-forced accounts',
        'policy-changed users.users_auth_service',
        'policy-missing sessions.sessions_auth_service',
        'grants sessions',
        'auth-grants tasks',
      ]);
      // Defence in depth: a stray grant still shows no row, as neither role has a policy there; the design check fails on it.
      const verified = await verifyRls(fresh.handle);
      const observed = (id: string) => verified.probes.find((p) => p.id === id)?.observed;
      expect([observed('sessions:read-others:user-A'), observed('tasks:read-all:todo_auth'), observed('tasks_archive:read-all:todo_auth')]).toEqual(['0 rows', '0 rows', 'denied']);
      expect(verified.ok).toBe(false);
      expect(verified.failed).toEqual(expect.arrayContaining(['design:grants', 'design:auth-grants']));
      const applied = await applyRls(fresh.handle);
      expect(applied.ranScript).toBe(true);
      expect(applied.after.findings).toEqual([]);
    });
  });

  it('a login role in both todo_app and todo_auth is a finding, in status and for --app-role', async () => {
    const both = uniqueRole('both_login');
    // Exclusive: while this role exists every other database's status has this finding.
    await withRoleLock('exclusive', async () => {
      await sql.raw(`create role ${both} login in role todo_app, todo_auth`).execute(fresh.handle.db);
      try {
        const status = await rlsStatus(fresh.handle, { appRole: both });
        expect(codes(status.findings)).toEqual([`role-in-app-and-auth ${both}`, `app-role-in-auth ${both}`]);
        expect(status.findings[0]?.fix).toContain(`REVOKE todo_auth FROM ${both};`);
      } finally {
        await sql.raw(`drop role ${both}`).execute(fresh.handle.db);
      }
    });
    await intact(async () => expect((await rlsStatus(fresh.handle)).findings).toEqual([]));
  });
});
