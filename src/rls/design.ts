import { AUTH_TABLES } from '../better-auth.js';
import {
  APP_ROLE,
  DECLARED_POLICIES as CONTRACT_POLICIES,
  PROTECTED_TABLES as CONTRACT_TABLES,
  type DeclaredPolicy,
  type PolicyCommand,
  type ProtectedTable,
} from './declaration.js';

/**
 * The auth service's part of the RLS design (contract v1.2.0, sql/rls-auth.sql),
 * merged with the contract's declaration. The auth service (Better Auth) logs in
 * as a role granted todo_auth; its policies are deliberately `USING (true)`: it
 * finds users by email and sessions by token before anyone is identified, so
 * its boundary is the role (no grant on tasks), not the row. Once the contract
 * carries the auth tables (the committed snapshot), the merge adds nothing.
 */
export const AUTH_ROLE = 'todo_auth';

export type DesignPolicy = Omit<DeclaredPolicy, 'command'> & { command: PolicyCommand | 'ALL' };

/** Tables todo_auth reads and writes, and exactly what it is granted on each. */
export const AUTH_PRIVILEGES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(['users', ...AUTH_TABLES].map((t) => [t, ['SELECT', 'INSERT', 'UPDATE', 'DELETE']]));

/** todo_app may update a user's profile, not its email or verified flag: those are the auth service's. */
const APP_PRIVILEGES_V12: Readonly<Record<string, readonly string[]>> = { users: ['SELECT', 'INSERT', 'DELETE', 'UPDATE(name, image)'] };

export const AUTH_POLICIES: readonly DesignPolicy[] = ['users', ...AUTH_TABLES].map((table) => ({
  table,
  name: `${table}_auth_service`,
  command: 'ALL',
  roles: [AUTH_ROLE],
  using: 'true',
  withCheck: 'true',
}));

const authTables: ProtectedTable[] = AUTH_TABLES.filter((t) => !CONTRACT_TABLES.some((c) => c.table === t)).map((table) => ({
  table,
  policies: [],
  privileges: [],
  denied: `tokens and password hashes are the auth service's (${AUTH_ROLE}): ${APP_ROLE} has no grant and no policy`,
}));

export const PROTECTED_TABLES: readonly ProtectedTable[] = [
  ...CONTRACT_TABLES.map((t) => (APP_PRIVILEGES_V12[t.table] ? { ...t, privileges: [...APP_PRIVILEGES_V12[t.table]!] } : t)),
  ...authTables,
];
export const TABLE_NAMES: readonly string[] = PROTECTED_TABLES.map((t) => t.table);

export const DECLARED_POLICIES: readonly DesignPolicy[] = [
  ...CONTRACT_POLICIES,
  ...AUTH_POLICIES.filter((p) => !CONTRACT_POLICIES.some((c) => c.table === p.table && c.name === p.name)),
];

/** A policy of the auth service: compared exactly, its `true` is the design. */
export function isAuthPolicy(p: { roles: readonly string[] }): boolean {
  return p.roles.length === 1 && p.roles[0] === AUTH_ROLE;
}
