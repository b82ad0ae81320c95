import { collectNodes, relName } from '../ast.js';
import type { LintRule } from '../types.js';

const KEYS = new Set(['id', 'ctid']);
const RANGE_OPS = new Set(['<', '>', '<=', '>=']);

/** A WHERE bounds one batch: a LIMITed subquery, or a range or list of keys. */
function batched(where: unknown): boolean {
  if (!where) return false;
  if (collectNodes(where, 'SelectStmt').some((sel) => sel.limitCount)) return true;
  return collectNodes(where, 'A_Expr').some((e) => {
    const column = e.lexpr?.ColumnRef?.fields?.at(-1)?.String?.sval;
    if (!KEYS.has(column)) return false;
    const op = e.name?.at(-1)?.String?.sval;
    return e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_OP_ANY' || e.kind === 'AEXPR_IN' || RANGE_OPS.has(op);
  });
}

export const unbatchedBackfill: LintRule = {
  id: 'unbatched-backfill',
  why: 'one UPDATE or DELETE over a big table locks every row it touches until the migration commits, bloats the table and holds back vacuum',
  recipe: 'update in batches of a few thousand keys, each its own transaction (`todo-db migrate make NAME --template backfill`), outside the schema migration',
  sizeDependent: true,
  check(s) {
    if (s.type !== 'UpdateStmt' && s.type !== 'DeleteStmt') return [];
    if (batched(s.node.whereClause)) return [];
    const table = relName(s.node.relation) ?? '';
    return [{ table, message: `${s.type === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} on ${table} touches every matching row in one transaction` }];
  },
};
