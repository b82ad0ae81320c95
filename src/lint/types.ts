import type { ReportItem } from '../report/item.js';
import type { ParsedStatement } from './parse.js';

/** PostgreSQL's table lock modes, weakest first (the order matters: see strongest()). */
export const LOCK_MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** What a statement does to the tables it touches. */
export interface StatementEffect {
  /** the strongest lock it takes; null for statements that lock no existing table */
  lock: LockMode | null;
  tables: string[];
  /** rewrite: a new copy of the table; scan: reads every row under the lock; none */
  rewrite: 'rewrite' | 'scan' | 'none';
}

/** A statement to lint, with where it came from. */
export interface LintStatement extends ParsedStatement {
  migration: string;
  effect: StatementEffect;
}

/** What a rule knows besides the statement: live sizes, the old schema, what came before. */
export interface RuleContext {
  /** estimated rows of an existing table; undefined for a table that does not exist yet or was created in this run */
  rows(table: string): number | undefined;
  /** the column's current type as format_type() spells it, e.g. `character varying(200)` */
  columnType(table: string, column: string): string | undefined;
  /** pg_proc's provolatile of a function name ('i', 's', 'v'); the most volatile overload wins */
  volatility(name: string): 'i' | 's' | 'v' | undefined;
  /** the table an index belongs to */
  indexTable(index: string): string | undefined;
  /** does the app's query patterns read or write this table / column */
  patternUses(table: string, column?: string): boolean;
  /** is a validated CHECK (col IS NOT NULL) in place, so SET NOT NULL skips the scan */
  hasValidatedNotNull(table: string, column: string): boolean;
  /** the migration runs inside a transaction (statement-level BEGIN counts too) */
  inTransaction: boolean;
  /** a lock_timeout is in force for this statement */
  lockTimeoutSet: boolean;
}

export interface RuleHit {
  /** the table whose size decides the severity */
  table: string;
  message: string;
}

/**
 * One lint rule, as data (squawk's shape): what it is, why it matters, the safe
 * recipe, and a check that names what it found. Size-dependent rules are errors
 * at or above the row threshold, warnings on smaller non-empty tables and silent
 * on empty or new ones; the others are always errors.
 */
export interface LintRule {
  id: string;
  why: string;
  recipe: string;
  sizeDependent: boolean;
  check(statement: LintStatement, ctx: RuleContext): RuleHit[];
}

export interface LintDetails {
  rule: string;
  migration: string;
  line: number;
  statement: string;
  lock: LockMode | null;
  tables: string[];
  rewrite: StatementEffect['rewrite'];
  rows: number | null;
  bytes: number | null;
  /** set when a todo-db-lint-allow comment silenced the finding (status ok) */
  allowed?: string;
}

export type LintFinding = ReportItem<LintDetails>;
