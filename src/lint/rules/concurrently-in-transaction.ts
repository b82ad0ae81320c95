import type { LintRule } from '../types.js';

export const concurrentlyInTransaction: LintRule = {
  id: 'concurrently-in-transaction',
  why: 'CREATE/DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY cannot run inside a transaction block: the migration fails',
  recipe: 'put the statement in a migration of its own with `export const config = { transaction: false }` (todo-db then sets lock_timeout and checks for invalid indexes)',
  sizeDependent: false,
  check(s, ctx) {
    if (!ctx.inTransaction) return [];
    const concurrent =
      ((s.type === 'IndexStmt' || s.type === 'DropStmt') && s.node.concurrent === true) ||
      (s.type === 'ReindexStmt' && (s.node.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently'));
    if (!concurrent) return [];
    return [
      {
        table: s.effect.tables[0] ?? '',
        message: `${s.type === 'ReindexStmt' ? 'REINDEX' : s.type === 'IndexStmt' ? 'CREATE INDEX' : 'DROP INDEX'} CONCURRENTLY inside a transaction`,
      },
    ];
  },
};
