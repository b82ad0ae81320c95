import type { LintRule } from '../types.js';
import { addColumnRewrite } from './add-column-rewrite.js';
import { columnTypeRewrite } from './column-type-rewrite.js';
import { concurrentlyInTransaction } from './concurrently-in-transaction.js';
import { constraintWithoutNotValid } from './constraint-without-not-valid.js';
import { dropUsed } from './drop-used.js';
import { missingLockTimeout } from './missing-lock-timeout.js';
import { nonConcurrentDropIndex } from './non-concurrent-drop-index.js';
import { nonConcurrentIndex } from './non-concurrent-index.js';
import { nonConcurrentReindex } from './non-concurrent-reindex.js';
import { renameUsed } from './rename-used.js';
import { rlsDdl } from './rls-ddl.js';
import { setNotNullScan } from './set-not-null-scan.js';
import { uniqueWithoutIndex } from './unique-without-index.js';
import { unbatchedBackfill } from './unbatched-backfill.js';

/** Every lint rule, in the order findings are listed; docs/safe-migrations.md follows it. */
export const LINT_RULES: readonly LintRule[] = [
  nonConcurrentIndex,
  nonConcurrentDropIndex,
  nonConcurrentReindex,
  concurrentlyInTransaction,
  addColumnRewrite,
  setNotNullScan,
  constraintWithoutNotValid,
  uniqueWithoutIndex,
  columnTypeRewrite,
  renameUsed,
  dropUsed,
  rlsDdl,
  missingLockTimeout,
  unbatchedBackfill,
];

/** Findings the engine makes itself, not from a rule's check. */
export const ENGINE_RULES = {
  parseError: { id: 'parse-error', recipe: 'fix the SQL at the position shown' },
  migrationFailed: { id: 'migration-failed', recipe: 'fix the migration: it fails on a scratch copy of the schema' },
} as const;
