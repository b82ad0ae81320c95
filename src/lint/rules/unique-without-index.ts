import { alterTableHits } from '../ast.js';
import type { LintRule } from '../types.js';

export const uniqueWithoutIndex: LintRule = {
  id: 'unique-without-index',
  why: 'ADD UNIQUE or PRIMARY KEY builds its index while holding ACCESS EXCLUSIVE: no reads or writes for the whole build',
  recipe:
    'CREATE UNIQUE INDEX CONCURRENTLY i ON t (cols) in a non-transactional migration, then ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX i (or PRIMARY KEY USING INDEX i)',
  sizeDependent: true,
  check: (s) =>
    alterTableHits(s, (cmd, table) => {
      const c = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
      if (!c || (c.contype !== 'CONSTR_UNIQUE' && c.contype !== 'CONSTR_PRIMARY') || c.indexname) return undefined;
      return { table, message: `${c.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'PRIMARY KEY'} on ${table} builds its index under ACCESS EXCLUSIVE` };
    }),
};
