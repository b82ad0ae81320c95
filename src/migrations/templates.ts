/** `migrate make --template NAME`: the safe recipes of docs/safe-migrations.md as starting points. */
export const MIGRATION_TEMPLATES = ['default', 'concurrent-index', 'backfill'] as const;
export type MigrationTemplate = (typeof MIGRATION_TEMPLATES)[number];

const CONCURRENT_INDEX = `// @ts-check
import { sql } from 'kysely';

/**
 * CREATE INDEX CONCURRENTLY cannot run in a transaction, so this migration runs
 * outside one (todo-db then sets lock_timeout and refuses to leave an invalid
 * index behind). Keep it to this one statement, and idempotent: a crash between
 * the build and the bookkeeping re-runs it. See docs/safe-migrations.md.
 */
export const config = { transaction: false };

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql\`create index concurrently if not exists idx_tasks_due_at on tasks (due_at)\`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql\`drop index concurrently if exists idx_tasks_due_at\`.execute(db);
}
`;

const BACKFILL = `// @ts-check
import { sql } from 'kysely';

/**
 * A batched backfill: each UPDATE is its own short transaction over at most
 * BATCH rows, so no row stays locked for long and vacuum keeps up. The column
 * was added nullable, without a volatile default, in an earlier migration; add
 * NOT NULL afterwards with CHECK … NOT VALID, VALIDATE, SET NOT NULL.
 * Safe to re-run: it only touches rows still NULL. See docs/safe-migrations.md.
 */
export const config = { transaction: false };

const BATCH = 5000;

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  for (;;) {
    const result = await sql\`
      update tasks set due_at = created_at + interval '7 days'
      where id in (select id from tasks where due_at is null limit \${BATCH})\`.execute(db);
    if (!result.numAffectedRows) break;
  }
}

/** A backfill has nothing to undo: dropping the column (its own migration's down) removes it. */
export async function down() {}
`;

/** The text of a safe-recipe template; null for the default, which make.ts keeps. */
export function templateText(template: MigrationTemplate): string | null {
  return template === 'concurrent-index' ? CONCURRENT_INDEX : template === 'backfill' ? BACKFILL : null;
}
