// @ts-check
import { sql } from 'kysely';

/** Tasks, the user-owned todo items (schema.md "Table tasks"). @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('description', 'varchar(1000)')
    .addColumn('completed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tasks_pkey', ['id'])
    .addForeignKeyConstraint('tasks_user_id_fkey', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
    .addCheckConstraint('tasks_title_not_empty', sql`length(trim(title)) > 0`)
    .execute();
  // Every query pattern of schema.md is served by one of these.
  await db.schema.createIndex('idx_tasks_user_id').on('tasks').column('user_id').execute();
  await db.schema.createIndex('idx_tasks_user_completed').on('tasks').columns(['user_id', 'completed']).execute();
  await db.schema.createIndex('idx_tasks_created_at').on('tasks').column('created_at').execute();
  await db.schema.createIndex('idx_tasks_updated_at').on('tasks').column('updated_at').execute();
  await db.schema.createIndex('idx_tasks_user_created').on('tasks').columns(['user_id', 'created_at desc']).execute();
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await db.schema.dropTable('tasks').execute();
}
