import type { TodoDatabase } from '../connection/open.js';
import { ProblemError } from '../errors.js';
import { DEFAULT_LINT_THRESHOLD_ROWS } from './engine.js';
import { readTableSizes } from './catalog.js';
import { lintMigrations, type LintResult } from './lint.js';

/** The `migrate up` options of the lint gate. */
export interface LintGateOptions {
  /** apply even when the lint finds an error on a big table */
  allowUnsafe?: boolean;
  /** rows at which a finding blocks (default 10,000) */
  lintThresholdRows?: number;
}

/** `migrate up` refused: an error-level finding on a table at or above the threshold. */
export class UnsafeMigrationError extends ProblemError {
  constructor(
    readonly lint: LintResult,
    readonly blocking: LintResult['findings'],
  ) {
    const first = blocking[0]!;
    const rows = first.details.rows === null ? '' : ` (~${first.details.rows.toLocaleString('en-US')} rows)`;
    super(
      `migration ${first.details.migration} is unsafe on this database: ${first.id} at line ${first.details.line} on ${first.object}${rows}${blocking.length > 1 ? ` and ${blocking.length - 1} more` : ''}`,
      `${first.fix}; or run \`todo-db migrate up --allow-unsafe\` in a quiet window`,
    );
  }
}

/**
 * Lints the migrations `migrate up` is about to apply and refuses them when one
 * has an error on a table at or above the threshold. Only on a server: PGlite is
 * a local, single-user database, and an empty or small database has nothing to
 * block, so those never pay for the scratch database.
 */
export async function refuseUnsafeMigrations(database: TodoDatabase<any>, names: readonly string[], options: LintGateOptions & { dir?: string }): Promise<LintResult | null> {
  if (options.allowUnsafe || database.kind !== 'postgres' || names.length === 0) return null;
  const threshold = options.lintThresholdRows ?? DEFAULT_LINT_THRESHOLD_ROWS;
  const sizes = await readTableSizes(database.db);
  if (![...sizes.values()].some((s) => s.rows >= threshold)) return null;
  const lint = await lintMigrations(database, { ...(options.dir ? { dir: options.dir } : {}), only: names, thresholdRows: threshold });
  const blocking = lint.findings.filter((f) => f.status === 'fail' && (f.details.rows ?? 0) >= threshold);
  if (blocking.length) throw new UnsafeMigrationError(lint, blocking);
  return lint;
}
