// @ts-check
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { supports } from 'todo-db';

// Shared with `todo-db rls apply`; the checksum covers it.
const rls = () => readFileSync(new URL('../sql/rls-archive.sql', import.meta.url), 'utf8');

/**
 * Contract v1.1.0: tasks_archive, where `todo-db archive` moves old completed
 * tasks. The task columns (values copied, so no defaults) plus archived_at; RLS
 * as on tasks. @param {import('kysely').Kysely<any>} db
 */
export async function up(db) {
  await db.schema
    .createTable('tasks_archive')
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('description', 'varchar(1000)')
    .addColumn('completed', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('archived_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tasks_archive_pkey', ['id'])
    .addForeignKeyConstraint('tasks_archive_user_id_fkey', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
    .addCheckConstraint('tasks_archive_title_not_empty', sql`length(trim(title)) > 0`)
    .execute();
  await db.schema.createIndex('idx_tasks_archive_user_archived').on('tasks_archive').columns(['user_id', 'archived_at desc']).execute();
  if (!supports(db, 'rls', 'row-level security on tasks_archive')) return;
  await sql.raw(rls()).execute(db);
}

/** Policies and grants go with the table. @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await db.schema.dropTable('tasks_archive').execute();
}
