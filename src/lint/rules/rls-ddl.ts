import { relName } from '../ast.js';
import type { LintRule, LintStatement } from '../types.js';

const RLS_SUBCOMMANDS = new Set(['AT_EnableRowSecurity', 'AT_DisableRowSecurity', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity']);

/** CREATE/ALTER/DROP POLICY and ALTER TABLE … ROW LEVEL SECURITY. */
export function isRlsDdl(s: LintStatement): boolean {
  if (s.type === 'CreatePolicyStmt' || s.type === 'AlterPolicyStmt') return true;
  if (s.type === 'DropStmt') return s.node.removeType === 'OBJECT_POLICY';
  if (s.type === 'AlterTableStmt') return (s.node.cmds ?? []).some((c: any) => RLS_SUBCOMMANDS.has(c.AlterTableCmd?.subtype));
  return false;
}

export const rlsDdl: LintRule = {
  id: 'rls-ddl',
  why: 'policy and row-level-security DDL takes ACCESS EXCLUSIVE on the table: brief, but queued behind any open transaction it blocks every app query on the table',
  recipe: "SET LOCAL lock_timeout = '2s' first and retry the migration when it times out; keep policy changes in their own short migration",
  sizeDependent: true,
  check(s, ctx) {
    if (!isRlsDdl(s) || ctx.lockTimeoutSet) return [];
    const table = s.type === 'AlterTableStmt' ? relName(s.node.relation) : s.effect.tables[0];
    return table ? [{ table, message: `policy/RLS change on ${table} takes ACCESS EXCLUSIVE without a lock_timeout` }] : [];
  },
};
