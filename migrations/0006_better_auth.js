// @ts-check
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { supports } from 'todo-db';

// Shared with `todo-db rls apply`; the checksum covers both files.
const rls = () => readFileSync(new URL('../sql/rls-auth.sql', import.meta.url), 'utf8');
const removeRls = () => readFileSync(new URL('../sql/rls-auth-remove.sql', import.meta.url), 'utf8');

const AUTH_TABLES = ['sessions', 'accounts', 'verifications'];

/** Contract v1.2.0: the Better Auth tables and the todo_auth role (docs/schema-changes.md). */
export const schemaVersion = '1.2.0';

/**
 * Contract v1.2.0: the three tables Better Auth 1.7 needs besides users, for
 * email-and-password and social sign-in, with the field names of
 * `todo-db/better-auth` (snake_case) and uuid ids so user_id can reference
 * users.id. Its `getMigrations()` finds nothing to create or alter on them.
 * Plus the auth service's role, todo_auth (sql/rls-auth.sql).
 * @param {import('kysely').Kysely<any>} db
 */
export async function up(db) {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sessions_pkey', ['id'])
    .addForeignKeyConstraint('sessions_user_id_fkey', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
    .execute();
  // getSession looks a session up by its token on every request; listSessions and
  // revokeSessions go by user (and the foreign key's cascade needs it too).
  await db.schema.createIndex('idx_sessions_token').on('sessions').column('token').unique().execute();
  await db.schema.createIndex('idx_sessions_user_id').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    // 'credential' for email and password (account_id is then the user's id), else the OAuth provider's name and its user id
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('access_token', 'text')
    .addColumn('refresh_token', 'text')
    .addColumn('id_token', 'text')
    .addColumn('access_token_expires_at', 'timestamptz')
    .addColumn('refresh_token_expires_at', 'timestamptz')
    .addColumn('scope', 'text')
    // the password hash of a credential account (Better Auth's scrypt format)
    .addColumn('password', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('accounts_pkey', ['id'])
    .addForeignKeyConstraint('accounts_user_id_fkey', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
    .execute();
  // Sign-in reads a user's accounts; social sign-in finds the account by provider and provider's id.
  await db.schema.createIndex('idx_accounts_user_id').on('accounts').column('user_id').execute();
  await db.schema.createIndex('idx_accounts_provider_account').on('accounts').columns(['provider_id', 'account_id']).execute();

  await db.schema
    .createTable('verifications')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    // what is being verified: an email, or `reset-password:<token>` and the like
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('verifications_pkey', ['id'])
    .execute();
  await db.schema.createIndex('idx_verifications_identifier').on('verifications').column('identifier').execute();

  if (supports(db, 'triggers', 'the updated_at triggers of the auth tables')) {
    for (const table of AUTH_TABLES) {
      await sql`create trigger ${sql.id(`${table}_set_updated_at`)} before update on ${sql.table(table)}
        for each row execute function set_updated_at()`.execute(db);
    }
  }
  if (!supports(db, 'rls', 'the todo_auth role, grants and row-level security of the auth tables')) return;
  await sql.raw(rls()).execute(db);
}

/** Back to v1.1.0 exactly: the tables (their triggers, policies and grants go with them), todo_auth's policies and grants on users, todo_app's UPDATE on users. @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  if (supports(db, 'rls', 'the todo_auth role, grants and row-level security of the auth tables')) await sql.raw(removeRls()).execute(db);
  for (const table of [...AUTH_TABLES].reverse()) await db.schema.dropTable(table).execute();
}
