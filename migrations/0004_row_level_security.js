// @ts-check
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { supports } from 'todo-db';

// One copy of the RLS setup, shared with `todo-db rls apply`; the migration's
// checksum covers these files, so editing them shows as an edited migration.
const apply = () => readFileSync(new URL('../sql/rls.sql', import.meta.url), 'utf8');
const remove = () => readFileSync(new URL('../sql/rls-remove.sql', import.meta.url), 'utf8');

/** Role, grants, helper function, RLS forced, six policies. @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  if (!supports(db, 'rls', 'the todo_app role, grants and row-level security')) return;
  await sql.raw(apply()).execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  if (!supports(db, 'rls', 'the todo_app role, grants and row-level security')) return;
  await sql.raw(remove()).execute(db);
}
