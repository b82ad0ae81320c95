import { collectNodes } from './ast.js';
import type { ParsedStatement } from './parse.js';

export interface LintAllow {
  rule: string;
  reason: string;
  line: number;
}

const ALLOW = /(?:\/\/|--)\s*todo-db-lint-allow:\s*([a-z0-9-]+)\s+(\S.*?)\s*(?:\*\/)?$/;

/** `// todo-db-lint-allow: <rule> <reason>` (or `--` in SQL); a comment without a reason allows nothing. */
export function readAllows(text: string): LintAllow[] {
  return text.split('\n').flatMap((line, i) => {
    const m = ALLOW.exec(line);
    return m ? [{ rule: m[1]!, reason: m[2]!, line: i + 1 }] : [];
  });
}

/**
 * Finds the line of a migration file that produced a captured statement. Kysely
 * compiles the SQL, so the file holds builder calls rather than the statement:
 * look for its most specific name (index, policy, constraint, column, table) from
 * where the previous statement was found on. Falls back to the line of up().
 */
export class SourceLines {
  private readonly lines: string[];
  private cursor = 0;
  private readonly upLine: number;
  constructor(text: string) {
    this.lines = text.split('\n');
    const up = this.lines.findIndex((l) => /function\s+up\s*\(/.test(l));
    this.upLine = up >= 0 ? up + 1 : 1;
    this.cursor = Math.max(0, up);
  }

  lineOf(statement: ParsedStatement): number {
    for (const token of tokens(statement)) {
      const pattern = new RegExp(`(^|[^A-Za-z0-9_])${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_])`);
      for (const from of [this.cursor, 0]) {
        const index = this.lines.findIndex((line, i) => i >= from && !/^\s*(\/\/|\*|\/\*)/.test(line) && pattern.test(line));
        if (index >= 0) {
          this.cursor = index;
          return index + 1;
        }
      }
    }
    return this.upLine;
  }
}

function tokens(statement: ParsedStatement): string[] {
  const n = statement.node;
  const specific = [n.idxname, n.policy_name, n.subname, n.newname, n.trigname];
  for (const cmd of n.cmds ?? []) {
    const c = cmd.AlterTableCmd;
    specific.push(c?.def?.Constraint?.conname, c?.def?.ColumnDef?.colname, c?.name);
  }
  for (const target of collectNodes(n.targetList, 'ResTarget')) specific.push(target.name);
  const tables = collectNodes(n, 'RangeVar').map((r) => r.relname);
  for (const o of n.objects ?? []) for (const item of o.List?.items ?? []) specific.push(item.String?.sval);
  return [...new Set([...specific, ...tables].filter((t): t is string => typeof t === 'string' && t.length > 1))];
}
