import { APP_ROLE, CONTRACT } from '../contract/index.js';
import type { PolicyShape } from '../contract/types.js';

/**
 * The row-level-security part of the schema contract (src/contract/v1.ts), in the
 * shape the status lint, `rls apply` and `rls verify` compare the catalog with.
 * Nothing is declared twice: sql/rls.sql and sql/rls-archive.sql are the executable
 * form of the same design.
 */
export { APP_ROLE };
export const HELPER_FUNCTION = 'app_current_user_id';
/** The setting the application sets per transaction. */
export const USER_SETTING = 'app.current_user_id';

export type PolicyCommand = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
export const POLICY_COMMANDS: readonly PolicyCommand[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/** How PostgreSQL deparses `(SELECT app_current_user_id())`: evaluated once per statement. */
export const ONCE_PER_STATEMENT = `( SELECT ${HELPER_FUNCTION}() AS ${HELPER_FUNCTION})`;

export interface DeclaredPolicy {
  table: string;
  name: string;
  command: PolicyCommand;
  roles: string[];
  /** as pg_get_expr deparses it; null when the command takes none */
  using: string | null;
  withCheck: string | null;
}

export interface ProtectedTable {
  table: string;
  policies: DeclaredPolicy[];
  /** what todo_app is granted on it, nothing more */
  privileges: string[];
  /** why the commands without a policy have none (todo_app is denied them: fail closed) */
  denied?: string;
}

/** Why a table lacks policies for some commands (schema.md "Row-level security"; contract v1.1.0). */
const DENIED_BECAUSE: Record<string, string> = {
  users: 'sign-up and account deletion run as the auth service role, outside todo_app',
  tasks_archive: 'only `todo-db archive`, as the maintenance role, writes archived tasks',
};

/** The contract writes `(SELECT app_current_user_id())`; the catalog shows it deparsed and parenthesised. */
function deparsed(expression: string | null): string | null {
  return expression === null ? null : `(${expression.replace(`(SELECT ${HELPER_FUNCTION}())`, ONCE_PER_STATEMENT)})`;
}

function declared(table: string, p: PolicyShape): DeclaredPolicy {
  return { table, name: p.name, command: p.command.toUpperCase() as PolicyCommand, roles: p.roles, using: deparsed(p.using), withCheck: deparsed(p.withCheck) };
}

export const PROTECTED_TABLES: readonly ProtectedTable[] = CONTRACT.tables
  .filter((t) => t.rls.enabled)
  .map((t) => ({
    table: t.name,
    policies: t.policies.map((p) => declared(t.name, p)),
    privileges: t.grants.find((g) => g.role === APP_ROLE)?.privileges.map((p) => p.toUpperCase()) ?? [],
    ...(DENIED_BECAUSE[t.name] ? { denied: DENIED_BECAUSE[t.name] } : {}),
  }));

export const TABLE_NAMES: readonly string[] = PROTECTED_TABLES.map((t) => t.table);
export const DECLARED_POLICIES: readonly DeclaredPolicy[] = PROTECTED_TABLES.flatMap((t) => t.policies);

/** The helper's body as the contract declares it. */
export const HELPER_BODY: string = CONTRACT.functions.find((f) => f.name === HELPER_FUNCTION)?.body ?? '';

/** Commands a table denies to todo_app by having no policy for them. */
export function deniedCommands(table: ProtectedTable): PolicyCommand[] {
  return POLICY_COMMANDS.filter((c) => !table.policies.some((p) => p.command === c));
}
