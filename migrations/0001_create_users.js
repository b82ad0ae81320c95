// @ts-check
import { sql } from 'kysely';

/** Users, managed by Better Auth (schema.md "Table users"). @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'varchar(255)', (c) => c.notNull())
    .addColumn('email_verified', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('name', 'varchar(255)')
    .addColumn('image', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('users_pkey', ['id'])
    .execute();
  await db.schema.createIndex('idx_users_email').on('users').column('email').unique().execute();
  await db.schema.createIndex('idx_users_created_at').on('users').column('created_at').execute();
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await db.schema.dropTable('users').execute();
}
