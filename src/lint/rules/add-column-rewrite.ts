import { alterTableHits } from '../ast.js';
import { addColumnRewriteReason } from '../rewrites.js';
import type { LintRule } from '../types.js';

export const addColumnRewrite: LintRule = {
  id: 'add-column-rewrite',
  why: 'ADD COLUMN with a volatile default, an identity or a stored generated column rewrites the whole table under ACCESS EXCLUSIVE (a constant or stable default is a catalog change since PostgreSQL 11)',
  recipe: 'add the column nullable without the default, SET DEFAULT for new rows, backfill old rows in batches (`migrate make NAME --template backfill`), then add the constraint',
  sizeDependent: true,
  check: (s, ctx) =>
    alterTableHits(s, (cmd, table) => {
      const reason = cmd.subtype === 'AT_AddColumn' ? addColumnRewriteReason(cmd.def?.ColumnDef, ctx) : null;
      return reason ? { table, message: `adding ${table}.${cmd.def.ColumnDef.colname} rewrites the table: ${reason}` } : undefined;
    }),
};
