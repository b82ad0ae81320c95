// @ts-check
import { sql } from 'kysely';
import { supports } from 'todo-db';

/**
 * updated_at is kept by the database, so no client can forget or forge it
 * (schema.md "Timestamps"). @param {import('kysely').Kysely<any>} db
 */
export async function up(db) {
  if (!supports(db, 'triggers', 'the set_updated_at() triggers')) return;
  await sql`
    create function set_updated_at() returns trigger language plpgsql as $$
    begin
      new.updated_at := now();
      return new;
    end
    $$`.execute(db);
  for (const table of ['users', 'tasks']) {
    await sql`create trigger ${sql.id(`${table}_set_updated_at`)} before update on ${sql.table(table)}
      for each row execute function set_updated_at()`.execute(db);
  }
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  if (!supports(db, 'triggers', 'the set_updated_at() triggers')) return;
  for (const table of ['users', 'tasks']) {
    await sql`drop trigger ${sql.id(`${table}_set_updated_at`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function set_updated_at()`.execute(db);
}
