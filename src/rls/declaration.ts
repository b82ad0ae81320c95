import { packageSnapshot } from '../snapshot/package-snapshot.js';
import { parentsFirst, tablesOf, type TableInfo } from '../snapshot/tables.js';

/** The application role: RLS applies to it; it owns nothing. */
export const APP_ROLE = 'todo_app';

/**
 * The row-level-security part of the schema snapshot (schema/snapshot.json), in the
 * shape the status lint, `rls apply` and `rls verify` compare the catalog with.
 * Nothing is declared twice: sql/rls.sql and sql/rls-archive.sql are the executable
 * form of the same design.
 */
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

/** Why a table lacks policies for some commands (schema.md "Row-level security"; schema v1.1.0). */
const DENIED_BECAUSE: Record<string, string> = {
  users: 'sign-up and account deletion run as the auth service role, outside todo_app',
  tasks_archive: 'only `todo-db archive`, as the maintenance role, writes archived tasks',
};

function declared(table: string, p: TableInfo['policies'][number]): DeclaredPolicy {
  return { table, name: p.name, command: p.command as PolicyCommand, roles: p.roles, using: p.using, withCheck: p.withCheck };
}

/** Every table with row-level security in the snapshot, with its policies and todo_app's privileges (as the catalog renders them). */
export const PROTECTED_TABLES: readonly ProtectedTable[] = parentsFirst(tablesOf(packageSnapshot().objects))
  .filter((t) => t.rls.enabled)
  .map((t) => ({
    table: t.name,
    policies: t.policies.map((p) => declared(t.name, p)),
    privileges: t.grants[APP_ROLE] ?? [],
    ...(DENIED_BECAUSE[t.name] ? { denied: DENIED_BECAUSE[t.name] } : {}),
  }));

export const TABLE_NAMES: readonly string[] = PROTECTED_TABLES.map((t) => t.table);
export const DECLARED_POLICIES: readonly DeclaredPolicy[] = PROTECTED_TABLES.flatMap((t) => t.policies);

/** The helper's body as the snapshot records it. */
export const HELPER_BODY: string = String(packageSnapshot().objects[`function ${HELPER_FUNCTION}()`]?.attrs.body ?? '');

/** Commands a table denies to todo_app by having no policy for them. */
export function deniedCommands(table: ProtectedTable): PolicyCommand[] {
  return POLICY_COMMANDS.filter((c) => !table.policies.some((p) => p.command === c));
}
