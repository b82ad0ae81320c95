/** Migration files the tests add to a copy of migrations/ (migrations-copy.ts). */

/** A non-transactional index build, idempotent as docs/migrations.md asks. */
export const CONCURRENT_INDEX = `export const config = { transaction: false };
export async function up(db) {
  const { sql } = await import('kysely');
  await sql\`create index concurrently if not exists idx_tasks_title on tasks (title)\`.execute(db);
}
export async function down(db) {
  const { sql } = await import('kysely');
  await sql\`drop index concurrently if exists idx_tasks_title\`.execute(db);
}
`;
