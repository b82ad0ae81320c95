import type { LintRule } from '../types.js';

export const nonConcurrentDropIndex: LintRule = {
  id: 'non-concurrent-drop-index',
  why: 'DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table: reads and writes queue behind it and behind any transaction it waits for',
  recipe: 'DROP INDEX CONCURRENTLY IF EXISTS … in a migration with `export const config = { transaction: false }`',
  sizeDependent: true,
  check(s) {
    if (s.type !== 'DropStmt' || s.node.removeType !== 'OBJECT_INDEX' || s.node.concurrent) return [];
    return s.effect.tables.map((table) => ({ table, message: `DROP INDEX on ${table} takes ACCESS EXCLUSIVE` }));
  },
};
