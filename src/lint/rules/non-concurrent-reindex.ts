import type { LintRule } from '../types.js';

export const nonConcurrentReindex: LintRule = {
  id: 'non-concurrent-reindex',
  why: 'REINDEX without CONCURRENTLY blocks writes to the table and locks the index against reads that would use it, for the whole rebuild',
  recipe: 'REINDEX INDEX CONCURRENTLY … (PostgreSQL 12+) with `export const config = { transaction: false }`',
  sizeDependent: true,
  check(s) {
    if (s.type !== 'ReindexStmt') return [];
    if ((s.node.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently')) return [];
    return s.effect.tables.map((table) => ({ table, message: `REINDEX on ${table} blocks writes while it rebuilds` }));
  },
};
