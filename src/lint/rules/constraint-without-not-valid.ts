import { alterTableHits, relName } from '../ast.js';
import type { LintRule } from '../types.js';

export const constraintWithoutNotValid: LintRule = {
  id: 'constraint-without-not-valid',
  why: 'ADD CHECK or FOREIGN KEY validates every existing row while it holds its lock (ACCESS EXCLUSIVE for CHECK; SHARE ROW EXCLUSIVE on both tables for a foreign key)',
  recipe: 'ADD CONSTRAINT … NOT VALID (instant), then VALIDATE CONSTRAINT … in a later statement or migration: it takes SHARE UPDATE EXCLUSIVE, which lets reads and writes go on',
  sizeDependent: true,
  check: (s) =>
    alterTableHits(s, (cmd, table) => {
      const c = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
      const name = c?.conname ? `${c.conname} ` : '';
      if (!c || c.skip_validation) return undefined;
      if (c.contype === 'CONSTR_CHECK') return { table, message: `CHECK ${name}on ${table} is validated under ACCESS EXCLUSIVE` };
      if (c.contype === 'CONSTR_FOREIGN') return { table, message: `FOREIGN KEY ${name}on ${table} is validated while writes to ${table} and ${relName(c.pktable)} wait` };
      return undefined;
    }),
};
