import type { TodoDatabase } from '../connection/open.js';
import { UnsupportedError } from '../errors.js';
import { readApplied } from '../migrations/bookkeeping.js';
import { listMigrationFiles, migrationsDir } from '../migrations/files.js';
import { migrationStates } from '../migrations/states.js';
import { itemsOk } from '../report/item.js';
import { readSchemaFacts, readTableSizes, readVolatility } from './catalog.js';
import { DEFAULT_LINT_THRESHOLD_ROWS, functionsCalled, lintUnits, type LintUnit, type StatementReport } from './engine.js';
import { parseSql } from './parse.js';
import { patternUsage } from './pattern-usage.js';
import { buildScratch, captureMigrations, type CapturedMigration } from './scratch.js';
import { readAllows, SourceLines } from './source-lines.js';
import type { LintFinding } from './types.js';

export interface LintOptions {
  /** migrations folder; default TODO_DB_MIGRATIONS_DIR, then the package's migrations/ */
  dir?: string;
  /** lint every migration, applied or not (on a scratch database built from nothing) */
  all?: boolean;
  /** lint only these pending migrations (the `migrate up` gate) */
  only?: readonly string[];
  /** rows at which a size-dependent finding is an error (default 10,000) */
  thresholdRows?: number;
}

export interface LintResult {
  ok: boolean;
  thresholdRows: number;
  /** the migrations linted, in order */
  migrations: string[];
  /** every statement: its lock, tables, rewrite and the live size of its table */
  statements: StatementReport[];
  /** fail = an error at the live size, warn, or ok when an allow comment silenced it */
  findings: LintFinding[];
  errors: number;
  warnings: number;
}

/**
 * Lints pending migrations (or all) against the live database. Their SQL is
 * captured on an in-memory scratch database, never by running them on the
 * target; from the target it reads only table sizes, column types and pg_proc.
 *
 * @example
 * const result = await lintMigrations(database);
 * for (const f of result.findings) console.log(f.status, f.details.migration, f.details.line, f.message);
 */
export async function lintMigrations(database: TodoDatabase<any>, options: LintOptions = {}): Promise<LintResult> {
  refuseWithoutCatalog(database);
  const dir = migrationsDir(options.dir);
  const files = listMigrationFiles(dir);
  const states = migrationStates(files, (await readApplied(database.db)) ?? []);
  const applied = states.filter((s) => s.state === 'applied').map((s) => s.name);
  let targets = options.all ? files : files.filter((f) => states.find((s) => s.name === f.name)?.state === 'pending');
  if (options.only) targets = targets.filter((f) => options.only!.includes(f.name));
  if (targets.length === 0) return lint(database, [], options);
  const scratch = await buildScratch(dir, options.all ? [] : applied);
  let captured: CapturedMigration[];
  try {
    captured = await captureMigrations(scratch, targets);
    const units = await Promise.all(captured.map(unitOf));
    return await lint(database, units, options, scratch);
  } finally {
    await scratch.close();
  }
}

/**
 * Lints SQL text as one migration against the live database's schema and sizes
 * (the test corpus and bench/lint.js use it). `-- todo-db-lint-allow:` works here too.
 */
export async function lintSql(database: TodoDatabase<any>, text: string, options: { name?: string; thresholdRows?: number; inTransaction?: boolean } = {}): Promise<LintResult> {
  refuseWithoutCatalog(database);
  const name = options.name ?? 'sql';
  const parsed = await parseSql(text);
  const unit: LintUnit = {
    migration: name,
    statements: 'statements' in parsed ? parsed.statements : [],
    ...('error' in parsed ? { parseError: { ...parsed.error, statement: text.trim() } } : {}),
    inTransaction: options.inTransaction ?? false,
    lockTimeoutSet: false,
    allows: readAllows(text),
    schema: await readSchemaFacts(database.db),
  };
  return lint(database, [unit], options);
}

async function lint(database: TodoDatabase<any>, units: LintUnit[], options: { thresholdRows?: number }, scratch?: TodoDatabase<any>): Promise<LintResult> {
  const thresholdRows = options.thresholdRows ?? DEFAULT_LINT_THRESHOLD_ROWS;
  const names = functionsCalled(units);
  const volatility = await readVolatility(database.db, names);
  // functions a pending migration creates exist only on the scratch database
  const missing = names.filter((n) => !volatility.has(n));
  if (scratch && missing.length) for (const [k, v] of await readVolatility(scratch.db, missing)) volatility.set(k, v);
  const { statements, findings } = lintUnits(units, { sizes: await readTableSizes(database.db), volatility, patterns: await patternUsage(), thresholdRows });
  return {
    ok: itemsOk(findings),
    thresholdRows,
    migrations: units.map((u) => u.migration),
    statements,
    findings,
    errors: findings.filter((f) => f.status === 'fail').length,
    warnings: findings.filter((f) => f.status === 'warn').length,
  };
}

async function unitOf(m: CapturedMigration): Promise<LintUnit> {
  const lines = new SourceLines(m.source);
  const unit: LintUnit = {
    migration: m.name,
    statements: [],
    ...(m.failure ? { failure: m.failure } : {}),
    inTransaction: m.transaction,
    // the runner runs a non-transactional migration under its own lock_timeout
    lockTimeoutSet: !m.transaction,
    allows: readAllows(m.source),
    schema: m.schema,
  };
  for (const text of m.sql) {
    const parsed = await parseSql(text);
    if ('error' in parsed) {
      const head = text.trim().split('\n')[0]!.slice(0, 30);
      const at = m.source.split('\n').findIndex((l) => head.length > 0 && l.includes(head));
      unit.parseError = { ...parsed.error, statement: text, ...(at >= 0 ? { fileLine: at + 1 + parsed.error.line - 1 } : {}) };
      break;
    }
    for (const s of parsed.statements) unit.statements.push({ ...s, line: lines.lineOf(s) });
  }
  return unit;
}

function refuseWithoutCatalog(database: TodoDatabase<any>): void {
  if (!database.capabilities.catalog) {
    throw new UnsupportedError(`migrate lint needs the PostgreSQL catalog, which ${database.kind} does not have`, 'run it against PostgreSQL or PGlite');
  }
}
