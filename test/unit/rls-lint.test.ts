import { describe, expect, it } from 'vitest';
import { AUTH_PRIVILEGES, DECLARED_POLICIES, PROTECTED_TABLES } from '../../src/index.js';
import { judge } from '../../src/rls/app-role.js';
import type { PolicyInfo, RlsCatalog, RoleInfo } from '../../src/rls/catalog.js';
import { isOncePerStatement, lintRls } from '../../src/rls/lint.js';

// The lint is pure: these cases need no database (the catalog shapes come from sql/rls/*.sql,
// which test/rls.test.ts runs on PostgreSQL and PGlite).
const HELPER = "SELECT nullif(current_setting('app.current_user_id', true), '')::uuid";
const todoApp: RoleInfo = { name: 'todo_app', exists: true, superuser: false, bypassRls: false, canLogin: false, inheritsAppRole: true, inAuthRole: false, owns: [] };
const todoAuth: RoleInfo = { ...todoApp, name: 'todo_auth', inheritsAppRole: false };

function intact(): RlsCatalog {
  return {
    tables: PROTECTED_TABLES.map((t) => ({ table: t.table, exists: true, enabled: true, forced: true, owner: 'postgres' })),
    policies: DECLARED_POLICIES.map((p) => ({ ...p, permissive: true })),
    grants: PROTECTED_TABLES.map((t) => ({ table: t.table, privileges: [...t.privileges] })),
    authGrants: PROTECTED_TABLES.map((t) => ({ table: t.table, privileges: [...(AUTH_PRIVILEGES[t.table] ?? [])] })),
    dualMembers: [],
    helper: { name: 'app_current_user_id', volatility: 'STABLE', returns: 'uuid', body: ` ${HELPER} ` },
  };
}

const codes = (catalog: RlsCatalog, role = todoApp) => lintRls(catalog, role).findings.map((f) => `${f.code} ${f.subject}`);

describe('rls policy lint', () => {
  it('finds nothing in the design itself, and notes the commands denied on purpose', () => {
    const { findings, notes } = lintRls(intact(), todoApp, todoAuth);
    expect(findings).toEqual([]);
    expect(notes).toEqual([
      'users: no INSERT/DELETE policy, so todo_app is denied them (intended: sign-up and account deletion run as the auth service role, outside todo_app)',
      'tasks_archive: no INSERT/UPDATE policy, so todo_app is denied them (intended: only `todo-db archive`, as the maintenance role, writes archived tasks)',
      'todo_auth (the auth service) sees every row of users, sessions, accounts, verifications (intended: it finds users by email and sessions by token before anyone is signed in) and has no grant on the task tables',
    ]);
  });

  it('counts an ALL policy to PUBLIC as a second permissive policy for every command', () => {
    const catalog = intact();
    const extra: PolicyInfo = { table: 'tasks', name: 'open_door', command: 'ALL', permissive: true, roles: ['public'], using: 'true', withCheck: null };
    catalog.policies.push(extra);
    expect(codes(catalog)).toEqual([
      'policy-unexpected tasks.open_door',
      'policy-duplicate-permissive tasks SELECT',
      'policy-duplicate-permissive tasks INSERT',
      'policy-duplicate-permissive tasks UPDATE',
      'policy-duplicate-permissive tasks DELETE',
    ]);
    expect(lintRls(catalog, todoApp).findings[0]?.message).toMatch(/always true\) is not part of the design and widens access/);
  });

  it('names a policy moved to another role, and grants beyond the four', () => {
    const catalog = intact();
    const i = catalog.policies.findIndex((p) => p.name === 'users_select_self');
    catalog.policies[i] = { ...catalog.policies[i]!, roles: ['public'] };
    catalog.grants[1] = { table: 'tasks', privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] };
    expect(codes(catalog)).toEqual(['policy-changed users.users_select_self', 'grants tasks']);
  });

  it('tells once-per-statement from per-row calls of the helper', () => {
    expect(isOncePerStatement('(user_id = ( SELECT app_current_user_id() AS app_current_user_id))')).toBe(true);
    expect(isOncePerStatement('(user_id = app_current_user_id())')).toBe(false);
    expect(isOncePerStatement('((user_id = ( SELECT app_current_user_id() AS app_current_user_id)) OR (id = app_current_user_id()))')).toBe(false);
    expect(isOncePerStatement('true')).toBe(false);
  });

  it('flags todo_app as a superuser or login role, with the statement to run', () => {
    const findings = lintRls(intact(), { ...todoApp, superuser: true, canLogin: true }).findings;
    expect(findings.map((f) => [f.code, f.repair, f.sql])).toEqual([
      ['role-superuser', 'superuser', 'ALTER ROLE todo_app NOSUPERUSER;'],
      ['role-login', 'manual', undefined],
    ]);
  });

  it('reports a missing table alone, with migrate up as the fix', () => {
    const catalog = intact();
    catalog.tables[1] = { table: 'tasks', exists: false, enabled: false, forced: false, owner: null };
    expect(lintRls(catalog, todoApp).findings.map((f) => [f.code, f.fix])).toEqual([['table-missing', 'run `todo-db migrate up`']]);
  });
});

describe('application role assessment', () => {
  it('gives one finding per cause, quoting odd role names in the fix', () => {
    const base = { ...todoApp, name: 'App User', canLogin: true };
    expect(judge(base)).toEqual([]);
    expect(judge({ ...base, superuser: true, bypassRls: true }).map((f) => f.code)).toEqual(['app-role-superuser']);
    expect(judge({ ...base, bypassRls: true })[0]?.fix).toBe('ALTER ROLE "App User" NOBYPASSRLS;');
    expect(judge({ ...base, inheritsAppRole: false, canLogin: false }).map((f) => f.code)).toEqual(['app-role-not-member', 'app-role-nologin']);
  });
});
