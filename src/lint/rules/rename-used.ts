import { relName } from '../ast.js';
import type { LintRule } from '../types.js';

export const renameUsed: LintRule = {
  id: 'rename-used',
  why: 'renaming a table or column the app queries breaks every running app instance the moment the migration commits (the query patterns in src/queries/patterns.ts read it)',
  recipe: 'expand and contract: add the new column (or a view with the new name), write both, move the app over, then drop the old name in a later release',
  sizeDependent: false,
  check(s, ctx) {
    if (s.type !== 'RenameStmt') return [];
    const table = relName(s.node.relation) ?? '';
    if (s.node.renameType === 'OBJECT_TABLE' && ctx.patternUses(table)) {
      return [{ table, message: `renaming table ${table}, which the app's queries use` }];
    }
    if (s.node.renameType === 'OBJECT_COLUMN' && ctx.patternUses(table, s.node.subname)) {
      return [{ table, message: `renaming ${table}.${s.node.subname}, which the app's queries use` }];
    }
    return [];
  },
};
