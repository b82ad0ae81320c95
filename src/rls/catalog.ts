import { CompiledQuery, type Kysely } from 'kysely';
import { readSql } from '../sql-file.js';
import { APP_ROLE, HELPER_FUNCTION, type PolicyCommand } from './declaration.js';
import { AUTH_ROLE, TABLE_NAMES } from './design.js';

/** The RLS facts of a database as its catalog states them (sql/rls/*.sql). */
export interface TableRls {
  table: string;
  exists: boolean;
  enabled: boolean;
  forced: boolean;
  owner: string | null;
}

export interface PolicyInfo {
  table: string;
  name: string;
  command: PolicyCommand | 'ALL';
  permissive: boolean;
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

export interface RoleInfo {
  name: string;
  exists: boolean;
  superuser: boolean;
  bypassRls: boolean;
  canLogin: boolean;
  /** holds the privileges of todo_app without SET ROLE (member, INHERIT) */
  inheritsAppRole: boolean;
  /** a member of todo_auth (the auth service's role), with or without INHERIT */
  inAuthRole: boolean;
  /** protected tables this role owns */
  owns: string[];
}

export interface AppRoleGrants {
  table: string;
  privileges: string[];
}

export interface HelperInfo {
  name: string;
  volatility: string;
  returns: string;
  body: string;
}

export interface RlsCatalog {
  tables: TableRls[];
  policies: PolicyInfo[];
  grants: AppRoleGrants[];
  /** todo_auth's grants on the protected tables */
  authGrants: AppRoleGrants[];
  /** login roles in both todo_app and todo_auth */
  dualMembers: string[];
  helper: HelperInfo | null;
}

/** The text of sql/rls/NAME.sql, read once. */
export function rlsSql(name: string): string {
  return readSql(`rls/${name}.sql`);
}

async function query<R>(db: Kysely<any>, name: string, parameters: unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(rlsSql(name), parameters))).rows;
}

export async function readCatalog(db: Kysely<any>): Promise<RlsCatalog> {
  const tables = await query<TableRls>(db, 'tables', [TABLE_NAMES]);
  const policies = await query<{
    table: string;
    name: string;
    command: PolicyInfo['command'];
    permissive: boolean;
    roles: string[];
    using: string | null;
    with_check: string | null;
  }>(db, 'policies', [TABLE_NAMES]);
  const grants = await query<AppRoleGrants>(db, 'grants', [APP_ROLE, TABLE_NAMES]);
  const authGrants = await query<AppRoleGrants>(db, 'grants', [AUTH_ROLE, TABLE_NAMES]);
  const dualMembers = (await query<{ name: string }>(db, 'dual-members', [APP_ROLE, AUTH_ROLE])).map((r) => r.name);
  const [helper] = await query<HelperInfo>(db, 'helper', [HELPER_FUNCTION]);
  return {
    tables,
    policies: policies.map(({ with_check, ...p }) => ({ ...p, withCheck: with_check })),
    grants,
    authGrants,
    dualMembers,
    helper: helper ?? null,
  };
}

/** A role's RLS-relevant attributes; `exists: false` when there is no such role. */
export async function readRole(db: Kysely<any>, name: string): Promise<RoleInfo> {
  const [row] = await query<{ name: string; superuser: boolean; bypass_rls: boolean; can_login: boolean; inherits_app_role: boolean; in_auth_role: boolean; owns: string[] }>(
    db,
    'role',
    [name, APP_ROLE, TABLE_NAMES, AUTH_ROLE],
  );
  if (!row) return { name, exists: false, superuser: false, bypassRls: false, canLogin: false, inheritsAppRole: false, inAuthRole: false, owns: [] };
  return {
    name,
    exists: true,
    superuser: row.superuser,
    bypassRls: row.bypass_rls,
    canLogin: row.can_login,
    inheritsAppRole: row.inherits_app_role,
    inAuthRole: row.in_auth_role,
    owns: row.owns,
  };
}
