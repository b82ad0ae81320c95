import { relName } from '../ast.js';
import type { LintRule } from '../types.js';

export const nonConcurrentIndex: LintRule = {
  id: 'non-concurrent-index',
  why: 'CREATE INDEX without CONCURRENTLY holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on the table waits',
  recipe: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS … in a migration of its own with `export const config = { transaction: false }`',
  sizeDependent: true,
  check(s) {
    if (s.type !== 'IndexStmt' || s.node.concurrent) return [];
    const table = relName(s.node.relation) ?? '';
    return [{ table, message: `CREATE INDEX ${s.node.idxname ?? ''} on ${table} blocks writes while it builds`.replace('  ', ' ') }];
  },
};
