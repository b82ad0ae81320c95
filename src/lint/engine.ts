import { calledFunctions, collectNodes, relName } from './ast.js';
import type { SchemaFacts, TableSize } from './catalog.js';
import { effectOf } from './effects.js';
import type { ParsedStatement, ParseFailure } from './parse.js';
import type { PatternUsage } from './pattern-usage.js';
import { ENGINE_RULES, LINT_RULES } from './rules/index.js';
import type { LintAllow } from './source-lines.js';
import type { LintDetails, LintFinding, LintRule, LintStatement, RuleContext, StatementEffect } from './types.js';

/** Default row count at which a size-dependent finding is an error (and `migrate up` refuses). */
export const DEFAULT_LINT_THRESHOLD_ROWS = 10_000;

/** One migration's parsed SQL, ready to lint. */
export interface LintUnit {
  migration: string;
  statements: Array<ParsedStatement & { line: number }>;
  /** a statement that did not parse: linting of the unit stops there */
  parseError?: ParseFailure & { statement: string; fileLine?: number };
  /** the migration failed on the scratch database (after its recorded statements) */
  failure?: string;
  /** runs in a transaction (Kysely's default); `config.transaction = false` does not */
  inTransaction: boolean;
  /** a lock_timeout is already in force (the runner sets one outside transactions) */
  lockTimeoutSet: boolean;
  allows: LintAllow[];
  /** the schema before this migration (from the scratch database) */
  schema: SchemaFacts;
}

export interface LintFacts {
  sizes: Map<string, TableSize>;
  volatility: Map<string, 'i' | 's' | 'v'>;
  patterns: PatternUsage;
  thresholdRows: number;
}

export interface StatementReport extends StatementEffect {
  migration: string;
  line: number;
  statement: string;
  rows: number | null;
  bytes: number | null;
}

export interface EngineResult {
  statements: StatementReport[];
  findings: LintFinding[];
}

/** Function names a set of units calls, for one pg_proc look-up. */
export function functionsCalled(units: readonly LintUnit[]): string[] {
  return [...new Set(units.flatMap((u) => u.statements.flatMap((s) => calledFunctions(s.node))))];
}

/** Lints units in order; tables created by an earlier statement count as new (no live rows). */
export function lintUnits(units: readonly LintUnit[], facts: LintFacts): EngineResult {
  const created = new Set<string>();
  const statements: StatementReport[] = [];
  const findings: LintFinding[] = [];
  for (const unit of units) {
    const unitFindings: LintFinding[] = [];
    const validated = new Set(unit.schema.notNullChecks);
    const notValidChecks = new Map<string, string>();
    let inTransaction = unit.inTransaction;
    let lockTimeoutSet = unit.lockTimeoutSet;
    const rows = (table: string) => (created.has(table) ? undefined : facts.sizes.get(table)?.rows);
    for (const parsed of unit.statements) {
      const ctx: RuleContext = {
        rows,
        columnType: (t, c) => unit.schema.columns.get(`${t}.${c}`),
        volatility: (name) => facts.volatility.get(name),
        indexTable: (index) => unit.schema.indexes.get(index),
        patternUses: (table, column) => {
          const used = facts.patterns.get(table);
          return used !== undefined && (column === undefined || used.has('*') || used.has(column));
        },
        hasValidatedNotNull: (t, c) => validated.has(`${t}.${c}`),
        inTransaction,
        lockTimeoutSet,
      };
      const statement: LintStatement = { ...parsed, migration: unit.migration, effect: effectOf(parsed, ctx) };
      const main = statement.effect.tables[0];
      const size = main && !created.has(main) ? facts.sizes.get(main) : undefined;
      statements.push({ migration: unit.migration, line: parsed.line, statement: parsed.sql, ...statement.effect, rows: size?.rows ?? null, bytes: size?.bytes ?? null });
      for (const rule of LINT_RULES) {
        for (const hit of rule.check(statement, ctx)) {
          const finding = toFinding(rule, statement, hit.table, hit.message, rows(hit.table), created.has(hit.table) ? undefined : facts.sizes.get(hit.table), facts.thresholdRows);
          if (finding) unitFindings.push(finding);
        }
      }
      // what this statement changes for the ones after it
      if (parsed.type === 'CreateStmt' && parsed.node.relation) created.add(relName(parsed.node.relation)!);
      if (parsed.type === 'TransactionStmt') inTransaction = /BEGIN|START/.test(parsed.node.kind) || (!/COMMIT|ROLLBACK/.test(parsed.node.kind) && inTransaction);
      const timeout = lockTimeoutChange(parsed);
      if (timeout !== undefined) lockTimeoutSet = timeout;
      trackNotNullChecks(parsed, notValidChecks, validated);
    }
    if (unit.parseError) unitFindings.push(parseErrorFinding(unit));
    else if (unit.failure) unitFindings.push(failureFinding(unit));
    applyAllows(unitFindings, unit.allows);
    findings.push(...unitFindings);
  }
  return { statements, findings };
}

function toFinding(rule: LintRule, s: LintStatement, table: string, message: string, rows: number | undefined, size: TableSize | undefined, threshold: number): LintFinding | null {
  let status: 'fail' | 'warn' = 'fail';
  if (rule.sizeDependent) {
    if (rows === undefined || rows === 0) return null; // new or empty: nothing waits for it
    status = rows >= threshold ? 'fail' : 'warn';
  }
  const sized = size ? ` (${table}: ~${size.rows.toLocaleString('en-US')} rows, ${formatBytes(size.bytes)})` : '';
  const details: LintDetails = {
    rule: rule.id,
    migration: s.migration,
    line: s.line,
    statement: s.sql,
    lock: s.effect.lock,
    tables: s.effect.tables,
    rewrite: s.effect.rewrite,
    rows: size?.rows ?? null,
    bytes: size?.bytes ?? null,
  };
  return { id: rule.id, object: table || s.migration, status, message: `${message}${sized}: ${rule.why}`, fix: rule.recipe, details };
}

function parseErrorFinding(unit: LintUnit): LintFinding {
  const e = unit.parseError!;
  return {
    id: ENGINE_RULES.parseError.id,
    object: unit.migration,
    status: 'fail',
    message: `SQL does not parse: ${e.message} at line ${e.line}, column ${e.column} of the statement`,
    fix: ENGINE_RULES.parseError.recipe,
    details: {
      rule: ENGINE_RULES.parseError.id,
      migration: unit.migration,
      line: e.fileLine ?? e.line,
      statement: e.statement,
      lock: null,
      tables: [],
      rewrite: 'none',
      rows: null,
      bytes: null,
    },
  };
}

function failureFinding(unit: LintUnit): LintFinding {
  return {
    id: ENGINE_RULES.migrationFailed.id,
    object: unit.migration,
    status: 'fail',
    message: `the migration fails on a scratch copy of the schema: ${unit.failure}`,
    fix: ENGINE_RULES.migrationFailed.recipe,
    details: { rule: ENGINE_RULES.migrationFailed.id, migration: unit.migration, line: 1, statement: '', lock: null, tables: [], rewrite: 'none', rows: null, bytes: null },
  };
}

/** An allow comment silences its rule on the first statement at or after it that the rule flags. */
function applyAllows(findings: LintFinding[], allows: readonly LintAllow[]): void {
  for (const allow of allows) {
    const first = findings.filter((f) => f.id === allow.rule && f.status !== 'ok' && f.details.line >= allow.line).sort((a, b) => a.details.line - b.details.line)[0];
    if (!first) continue;
    for (const f of findings) {
      if (f.id === allow.rule && f.details.line === first.details.line && f.details.statement === first.details.statement) {
        f.status = 'ok';
        f.details.allowed = allow.reason;
      }
    }
  }
}

/** SET [LOCAL] lock_timeout, RESET lock_timeout, set_config('lock_timeout', …). */
function lockTimeoutChange(s: ParsedStatement): boolean | undefined {
  if (s.type === 'VariableSetStmt' && s.node.name === 'lock_timeout') {
    if (s.node.kind !== 'VAR_SET_VALUE') return false;
    const arg = s.node.args?.[0]?.A_Const;
    const value = String(arg?.sval?.sval ?? arg?.ival?.ival ?? '0');
    return !/^0\D*$/.test(value.trim());
  }
  if (s.type === 'SelectStmt') {
    for (const call of collectNodes(s.node, 'FuncCall')) {
      const name = call.funcname?.at(-1)?.String?.sval;
      const [setting, value] = call.args ?? [];
      if (name === 'set_config' && setting?.A_Const?.sval?.sval === 'lock_timeout') {
        const v = value?.A_Const?.sval?.sval;
        return v === undefined ? true : !/^0\D*$/.test(v);
      }
    }
  }
  return undefined;
}

/** ADD CONSTRAINT c CHECK (col IS NOT NULL) [NOT VALID], then VALIDATE CONSTRAINT c. */
function trackNotNullChecks(s: ParsedStatement, notValid: Map<string, string>, validated: Set<string>): void {
  if (s.type !== 'AlterTableStmt') return;
  const table = relName(s.node.relation) ?? '';
  for (const item of s.node.cmds ?? []) {
    const cmd = item.AlterTableCmd;
    const c = cmd?.def?.Constraint;
    if (cmd?.subtype === 'AT_AddConstraint' && c?.contype === 'CONSTR_CHECK') {
      const test = c.raw_expr?.NullTest;
      const column = test?.nulltesttype === 'IS_NOT_NULL' ? test.arg?.ColumnRef?.fields?.at(-1)?.String?.sval : undefined;
      if (!column) continue;
      if (c.skip_validation) notValid.set(c.conname ?? '', `${table}.${column}`);
      else validated.add(`${table}.${column}`);
    }
    if (cmd?.subtype === 'AT_ValidateConstraint') {
      const key = notValid.get(cmd.name);
      if (key) validated.add(key);
    }
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
