import { alterTableHits } from '../ast.js';
import type { LintRule, RuleHit } from '../types.js';

export const dropUsed: LintRule = {
  id: 'drop-used',
  why: 'dropping a table or column the app queries breaks every running app instance the moment the migration commits (the query patterns in src/queries/patterns.ts read it)',
  recipe: 'stop the app using it first (release the code that no longer reads or writes it), then drop it in a later migration',
  sizeDependent: false,
  check(s, ctx) {
    const hits: RuleHit[] = [];
    if (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_TABLE') {
      for (const table of s.effect.tables) if (ctx.patternUses(table)) hits.push({ table, message: `dropping table ${table}, which the app's queries use` });
    }
    hits.push(
      ...alterTableHits(s, (cmd, table) =>
        cmd.subtype === 'AT_DropColumn' && ctx.patternUses(table, cmd.name) ? { table, message: `dropping ${table}.${cmd.name}, which the app's queries use` } : undefined,
      ),
    );
    return hits;
  },
};
