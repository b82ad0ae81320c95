import { alterTableHits, typeNameOf } from '../ast.js';
import { typeChangeRewrites } from '../rewrites.js';
import type { LintRule } from '../types.js';

export const columnTypeRewrite: LintRule = {
  id: 'column-type-rewrite',
  why: 'ALTER COLUMN TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the change is binary-coercible (a longer varchar, varchar to text, a wider numeric)',
  recipe:
    'add a new column of the new type, write both from the app, backfill in batches, switch reads, then drop the old column; or widen instead (varchar(n) to a larger n or text is instant)',
  sizeDependent: true,
  check: (s, ctx) =>
    alterTableHits(s, (cmd, table) => {
      const def = cmd.def?.ColumnDef;
      if (cmd.subtype !== 'AT_AlterColumnType' || !typeChangeRewrites(table, cmd.name, def, ctx)) return undefined;
      const to = typeNameOf(def?.typeName);
      const target = `${to.name}${to.mods.length ? `(${to.mods.join(',')})` : ''}${def?.raw_default ? ' USING …' : ''}`;
      return { table, message: `${table}.${cmd.name} ${ctx.columnType(table, cmd.name) ?? 'unknown'} → ${target} rewrites the table` };
    }),
};
