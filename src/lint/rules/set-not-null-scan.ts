import { alterTableHits } from '../ast.js';
import type { LintRule } from '../types.js';

export const setNotNullScan: LintRule = {
  id: 'set-not-null-scan',
  why: 'SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) already proves it (PostgreSQL 12+)',
  recipe: 'ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; then VALIDATE CONSTRAINT c (a weaker lock); then SET NOT NULL (no scan) and DROP CONSTRAINT c',
  sizeDependent: true,
  check: (s, ctx) =>
    alterTableHits(s, (cmd, table) =>
      cmd.subtype === 'AT_SetNotNull' && !ctx.hasValidatedNotNull(table, cmd.name)
        ? { table, message: `SET NOT NULL on ${table}.${cmd.name} scans every row under ACCESS EXCLUSIVE` }
        : undefined,
    ),
};
